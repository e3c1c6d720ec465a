/**
 * The delivery log and counters of a webhook (SPEC §6: every attempt logged with the Axibase
 * "Log Response"; successful and failed invocations per minute as in Elastio), and the manual
 * retry of a notification that failed for good.
 *
 * Responses of receivers are shown to everyone with `read`, and some receivers echo the request
 * back (debug endpoints, httpbin): every attempt shown here is scrubbed of every webhook's secrets.
 */
import type { AttemptResult } from '../../delivery/attempt.js';
import { maskUrl } from '../../delivery/masking.js';
import type { Runtime } from '../../service/runtime.js';
import type { DeliveryAttempt, OutboxRow } from '../../store/store.js';
import { knownSecrets, scrubSecrets } from '../secrets-view.js';
import { ApiError, notFound } from '../errors.js';
import { nameParams, route, type RouteSpec } from '../route.js';
import { iso, nextBefore, pageQueryProperties, parsePage } from '../query.js';

/** What POST /webhooks/:name/test answers: the attempt, times in ISO 8601, secrets scrubbed. */
export function testResultView(result: AttemptResult, secrets: readonly string[]) {
  return scrubSecrets({
    ok: result.ok, statusCode: result.statusCode, latencyMs: result.latencyMs, responseHeaders: result.responseHeaders, responseBody: result.responseBody,
    responseTruncated: result.responseTruncated, error: result.error, time: iso(result.time), eventIds: result.eventIds,
    url: maskUrl(result.url), messageId: result.messageId,
  }, secrets);
}

/** The attempts of a test go straight to the receiver; only outbox attempts have an outbox row. */
function attemptView(attempt: DeliveryAttempt, row: OutboxRow | null, secrets: readonly string[]) {
  return scrubSecrets({
    id: attempt.id, outboxId: attempt.outboxId, eventId: attempt.eventId, eventType: row?.event.type ?? (attempt.outboxId === null ? 'webhook.test' : null),
    alertId: attempt.alertId, time: iso(attempt.time), ok: attempt.ok, statusCode: attempt.statusCode, latencyMs: attempt.latencyMs,
    responseHeaders: attempt.responseHeaders, responseBody: attempt.responseBody, error: attempt.error, status: row?.status ?? null,
  }, secrets);
}

export function outboxRowView(row: OutboxRow, secrets: readonly string[]) {
  return scrubSecrets({
    id: row.id, webhook: row.webhook, eventId: row.eventId, eventType: row.event.type, alertId: row.alertId, template: row.template, status: row.status,
    attempts: row.attempts, nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null, queuedAt: iso(row.queuedAt), createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt), lastError: row.lastError,
  }, secrets);
}

/** A deleted webhook's log stays readable until it is pruned; a name never seen is a 404. */
function requireKnownWebhook(runtime: Runtime, name: string): void {
  if (runtime.webhook(name) !== undefined || runtime.store.listDeliveryAttempts({ webhook: name, limit: 1 }).length > 0) return;
  throw notFound('webhook', name, 'GET /api/v1/webhooks lists them');
}

const MAX_STATS_HOURS = 24;
const HOUR = 3_600_000;
const RETRYABLE: ReadonlySet<string> = new Set(['failed', 'discarded', 'dropped']);

export function deliveryRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/webhooks/:name/deliveries', permission: 'read', tag: 'webhooks',
      summary: "A webhook's delivery attempts, newest first: status, latency, response headers and the first 4 KiB of the body, error",
      schema: { params: nameParams, querystring: { type: 'object', additionalProperties: false, properties: { ...pageQueryProperties } } },
      handler: (request, _reply, { runtime }) => {
        const { name } = request.params as { name: string };
        requireKnownWebhook(runtime, name);
        const page = parsePage(request.query as { limit?: string; before?: string });
        const attempts = runtime.store.listDeliveryAttempts({ webhook: name, limit: page.limit, ...(page.beforeId !== undefined ? { beforeId: page.beforeId } : {}) });
        const rows = new Map<number, OutboxRow | null>();
        const rowOf = (id: number | null) => {
          if (id === null) return null;
          if (!rows.has(id)) rows.set(id, runtime.store.getOutboxRow(id));
          return rows.get(id) ?? null;
        };
        const secrets = knownSecrets(runtime);
        return { deliveries: attempts.map((attempt) => attemptView(attempt, rowOf(attempt.outboxId), secrets)), nextBefore: nextBefore(attempts, page) };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/webhooks/:name/stats', permission: 'read', tag: 'webhooks',
      summary: 'Successful and failed invocations of a webhook: totals, last success and failure, and per minute over the last hours',
      schema: {
        params: nameParams,
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { hours: { type: 'string', pattern: '^[0-9]{1,3}$', description: `per-minute counts of the last 1 to ${MAX_STATS_HOURS} hours (default 24)` } },
        },
      },
      handler: (request, _reply, { runtime, now }) => {
        const { name } = request.params as { name: string };
        requireKnownWebhook(runtime, name);
        const text = (request.query as { hours?: string }).hours;
        const hours = text === undefined ? MAX_STATS_HOURS : Number(text);
        if (hours < 1 || hours > MAX_STATS_HOURS) {
          throw new ApiError(400, 'invalid_query', `hours=${text} is out of range`, { hint: `per-minute counts are kept for ${MAX_STATS_HOURS} hours: ask for 1 to ${MAX_STATS_HOURS}` });
        }
        const stats = runtime.store.webhookStats(name, now - hours * HOUR);
        return {
          webhook: name, successes: stats.successes, failures: stats.failures,
          lastSuccessAt: stats.lastSuccessAt === null ? null : iso(stats.lastSuccessAt), lastFailureAt: stats.lastFailureAt === null ? null : iso(stats.lastFailureAt),
          outboxDepth: runtime.store.outboxDepth(name),
          perMinute: stats.perMinute.map((m) => ({ minute: iso(m.minute), successes: m.successes, failures: m.failures })),
        };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/deliveries/:id/retry', permission: 'deliveries:retry', tag: 'webhooks',
      summary: 'Queue a failed, discarded or dropped notification again (a fresh discard_after period starts)',
      schema: {
        params: {
          type: 'object', required: ['id'], additionalProperties: false,
          properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'the outboxId of a delivery attempt' } },
        },
      },
      handler: (request, _reply, { runtime, actor, now }) => {
        const id = Number((request.params as { id: string }).id);
        const row = runtime.store.getOutboxRow(id);
        if (row === null) throw new ApiError(404, 'not_found', `no delivery with the id ${id}`, { hint: 'the outboxId of an attempt in GET /api/v1/webhooks/:name/deliveries' });
        if (!RETRYABLE.has(row.status)) {
          throw new ApiError(409, 'not_retryable', `delivery ${id} is ${row.status}; only failed, discarded or dropped deliveries can be retried`, {
            hint: row.status === 'done' ? 'it was delivered already' : 'it is still queued: the worker retries it by itself',
          });
        }
        if (runtime.webhook(row.webhook) === undefined) {
          throw new ApiError(409, 'webhook_gone', `webhook '${row.webhook}' of delivery ${id} no longer exists`, { hint: 'create the webhook again, then retry' });
        }
        const batch = runtime.changeBatch(actor, 'retry', 'delivery', String(id), { summary: `delivery ${id} of ${row.event.type} to ${row.webhook} queued again`, webhook: row.webhook, eventId: row.eventId, was: row.status });
        const queued = runtime.store.retryDelivery(id, now, batch);
        // Settled by the worker between the read and the write: nothing was queued.
        if (queued === null) throw new ApiError(409, 'not_retryable', `delivery ${id} changed while being retried`, { hint: 'look at its state again' });
        runtime.wakeDelivery();
        return outboxRowView(queued, knownSecrets(runtime));
      },
    }),
  ];
}
