/**
 * `GET /api/v1/outbox`: the outbox as a whole (SPEC §6) — how much of the global budget the
 * undelivered notifications take, whether ingestion is refused, and each webhook's depth and backlog.
 */
import { iso } from '../query.js';
import { route, type RouteSpec } from '../route.js';
import { OUTBOX_FULL_RETRY_AFTER_S } from './ingest.js';

export function outboxRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/outbox', permission: 'read', tag: 'webhooks',
      summary: "The outbox budget (bytes used, budget, whether ingestion is refused), each webhook's depth and backlog",
      handler: (_request, _reply, { runtime }) => {
        const { budget, webhooks } = runtime.outboxState();
        return {
          rows: budget.rows,
          bytes: budget.usedBytes,
          budgetBytes: budget.budgetBytes,
          full: budget.full,
          // What a refused client is told to wait, so dashboards can show the same.
          retryAfterSeconds: budget.full ? OUTBOX_FULL_RETRY_AFTER_S : null,
          webhooks: webhooks.map((w) => ({
            webhook: w.webhook, depth: w.depth, bytes: w.bytes, limit: w.limit, lossy: w.lossy,
            backlogged: w.backlogged,
            backloggedSince: w.backloggedSince === null ? null : iso(w.backloggedSince),
          })),
        };
      },
    }),
  ];
}
