/**
 * The audit log (SPEC §7): who changed what, when. Admin-only (`audit:read`), newest first, paged
 * by id so a page boundary never skips or repeats a row while new rows arrive.
 *
 * The query helpers here (limit, before, time bounds) are shared with the alert history.
 */
import type { AuditEntry } from '../../store/store.js';
import { route, type RouteSpec } from '../route.js';
import { iso, nextBefore, pageQueryProperties, parsePage, parseTimeParameter, timeQueryProperties } from '../query.js';

function auditView(entry: AuditEntry) {
  return { id: entry.id, at: iso(entry.at), actor: entry.actor, action: entry.action, kind: entry.kind, name: entry.name, details: entry.details ?? null };
}

interface AuditQueryString {
  limit?: string;
  before?: string;
  since?: string;
  until?: string;
  actor?: string;
  kind?: string;
  name?: string;
}

export function auditRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/audit', permission: 'audit:read', tag: 'audit',
      summary: 'The audit log, newest first: who changed what and when (filter by actor, kind, name, time)',
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...pageQueryProperties,
            ...timeQueryProperties,
            actor: { type: 'string', minLength: 1, maxLength: 200, description: 'e.g. token:ci' },
            kind: { type: 'string', minLength: 1, maxLength: 100, description: 'webhook, template, silence, alert, rules, token, …' },
            name: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
      handler: (request, _reply, { runtime }) => {
        const query = request.query as AuditQueryString;
        const now = runtime.engine.now();
        const page = parsePage(query);
        const since = parseTimeParameter('since', query.since, now);
        const until = parseTimeParameter('until', query.until, now);
        const rows = runtime.store.listAudit({ ...page, actor: query.actor, kind: query.kind, name: query.name, since, until });
        return { audit: rows.map(auditView), nextBefore: nextBefore(rows, page) };
      },
    }),
  ];
}
