/**
 * Alerts (SPEC §4, §7): the active ones (open, pending, no data), their history, the "explain"
 * view of one alert, and acknowledgement.
 *
 * Active alerts come from the engine (its copies, never live state); everything past comes from
 * the store: transitions with the values that caused them, every event with each notification
 * decision (sent, or why not), the delivery attempts of each sent one, and acknowledgements.
 * Alert times are engine-clock times, so durations are measured on the same clock.
 */
import type { SeriesRecord } from '../../engine/engine.js';
import type { AlertEventData } from '../../model/event.js';
import { SEVERITIES, isSeverity, severityRank, type Severity } from '../../model/severity.js';
import type { Tags } from '../../model/sample.js';
import type { NotificationDecision } from '../../service/notify.js';
import type { Runtime } from '../../service/runtime.js';
import type { Acknowledgement, AlertHistoryEntry, DeliveryAttempt, EventLogEntry, OutboxRow } from '../../store/store.js';
import { knownSecrets, scrubSecrets } from '../secrets-view.js';
import { ApiError } from '../errors.js';
import { idParams, route, type RouteSpec } from '../route.js';
import { iso, MAX_PAGE, nextBefore, pageQueryProperties, parsePage, parseTimeParameter, timeQueryProperties } from '../query.js';

export const ALERT_STATUSES = ['open', 'pending', 'nodata'] as const;
export type ActiveStatus = (typeof ALERT_STATUSES)[number];

export interface AlertView {
  alertId: string;
  rule: string;
  seriesKey: string;
  entity: string;
  metric: string;
  tags: Tags;
  labels: Record<string, string>;
  severity: Severity;
  /** Active: open, pending or nodata. Past: cancelled, or the last status recorded. */
  status: string;
  active: boolean;
  value: number | null;
  openValue: number | null;
  /** When the alert opened (null while pending). */
  openTime: string | null;
  /** When the current status began: pending since, open since, silent since. */
  since: string | null;
  /** Seconds since `since` (active) or from open to end (past alerts). */
  duration: number;
  repeatCount: number;
  acknowledged: boolean;
  flapping: boolean;
  /** Past alerts: when it ended and why. */
  endedAt?: string;
  reason?: string;
}

const seconds = (fromMs: number, toMs: number) => Math.max(0, Math.round((toMs - fromMs) / 1000));

/** One series can carry two alerts at once: a pending/open one and a no-data one. */
function viewsOf(record: SeriesRecord, labels: Record<string, string>, now: number): AlertView[] {
  const { state, identity } = record;
  const base = {
    rule: record.rule, seriesKey: record.seriesKey, entity: identity.entity, metric: identity.metric, tags: { ...identity.tags }, labels,
    severity: state.severity, active: true, flapping: state.flap.flapping,
  };
  const views: AlertView[] = [];
  if (state.phase !== 'inactive' && state.alertId !== null) {
    const since = state.phase === 'open' ? state.openTime : state.pendingSince;
    views.push({
      ...base, alertId: state.alertId, status: state.phase, value: state.lastValue, openValue: state.openValue,
      openTime: state.openTime === null ? null : iso(state.openTime), since: since === null ? null : iso(since),
      duration: since === null ? 0 : seconds(since, now), repeatCount: state.repeatCount, acknowledged: state.acknowledged,
    });
  }
  if (state.nodata) {
    views.push({
      ...base, alertId: state.nodata.alertId, status: 'nodata', value: null, openValue: null,
      openTime: iso(state.nodata.since), since: iso(state.nodata.since), duration: seconds(state.nodata.since, now), repeatCount: 0, acknowledged: false,
    });
  }
  return views;
}

/** Active alerts, most severe first, then the oldest first. */
export function activeAlerts(runtime: Runtime): AlertView[] {
  const now = runtime.engine.now();
  const labels = new Map(runtime.configuration.rules.map((rule) => [rule.name, rule.labels]));
  return runtime.engine.alerts()
    .flatMap((record) => viewsOf(record, { ...(labels.get(record.rule) ?? {}) }, now))
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.since ?? '').localeCompare(b.since ?? '') || a.rule.localeCompare(b.rule) || a.seriesKey.localeCompare(b.seriesKey));
}

function historyView(entry: AlertHistoryEntry) {
  return { id: entry.id, alertId: entry.alertId, rule: entry.rule, seriesKey: entry.seriesKey, type: entry.type, time: iso(entry.time), value: entry.value, details: entry.details ?? null };
}

// ---------------------------------------------------------------------------------------------
// Explain

function isDecision(value: unknown): value is NotificationDecision {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record.webhook === 'string' && typeof record.sent === 'boolean';
}

function attemptView(attempt: DeliveryAttempt, secrets: readonly string[]) {
  return scrubSecrets({
    id: attempt.id, time: iso(attempt.time), ok: attempt.ok, statusCode: attempt.statusCode, latencyMs: attempt.latencyMs,
    error: attempt.error, responseHeaders: attempt.responseHeaders, responseBody: attempt.responseBody,
  }, secrets) as Omit<DeliveryAttempt, 'time' | 'eventId' | 'webhook' | 'outboxId' | 'alertId'> & { time: string };
}

function deliveryView(row: OutboxRow | undefined, secrets: readonly string[]) {
  if (!row) return null;
  const lastError = row.lastError === null ? null : (scrubSecrets(row.lastError, secrets) as string);
  return { status: row.status, attempts: row.attempts, nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null, lastError };
}

function eventView(entry: EventLogEntry, runtime: Runtime, secrets: readonly string[]) {
  const details = (entry.details ?? {}) as { notifications?: unknown; mutedBy?: unknown };
  const decisions = Array.isArray(details.notifications) ? details.notifications.filter(isDecision) : [];
  const attempts = decisions.some((d) => d.sent) ? runtime.store.listDeliveryAttempts({ eventId: entry.event.id, limit: MAX_PAGE }).reverse() : [];
  const outbox = decisions.some((d) => d.sent) ? runtime.store.listOutbox({ eventId: entry.event.id, limit: MAX_PAGE }) : [];
  return {
    event: entry.event,
    ...(typeof details.mutedBy === 'string' ? { mutedBy: details.mutedBy } : {}),
    notifications: decisions.map((decision) => ({
      webhook: decision.webhook, sent: decision.sent, template: decision.template, ...(decision.reason !== undefined ? { reason: decision.reason } : {}),
      delivery: deliveryView(outbox.find((row) => row.webhook === decision.webhook), secrets),
      attempts: attempts.filter((a) => a.webhook === decision.webhook).map((a) => attemptView(a, secrets)),
    })),
  };
}

type EventView = ReturnType<typeof eventView>;

/** The alert as its last event described it, once the engine no longer holds it. */
function pastAlert(alertId: string, latest: EventLogEntry | undefined, history: AlertHistoryEntry[], acknowledged: boolean): AlertView | null {
  const data = latest?.event.type.startsWith('alert.') ? (latest.event.data as AlertEventData) : null;
  if (data) {
    const ended = data.status === 'cancel';
    return {
      alertId, rule: data.rule, seriesKey: data.series_key, entity: data.entity.name, metric: data.metric.name, tags: data.tags, labels: data.labels,
      severity: data.severity, status: ended ? 'cancelled' : data.status, active: false, value: data.value, openValue: data.open_value,
      openTime: data.open_time, since: data.open_time, duration: data.alert_duration, repeatCount: data.repeat_count, acknowledged, flapping: false,
      ...(ended ? { endedAt: data.time } : {}), ...(data.reason !== undefined ? { reason: data.reason } : {}),
    };
  }
  const last = history[history.length - 1];
  if (!last) return null;
  const recorded = (last.details as { severity?: unknown } | null)?.severity;
  return {
    alertId, rule: last.rule, seriesKey: last.seriesKey, entity: '', metric: '', tags: {}, labels: {}, severity: isSeverity(recorded) ? recorded : 'info', status: last.type, active: false,
    value: last.value, openValue: null, openTime: null, since: null, duration: 0, repeatCount: 0, acknowledged, flapping: false,
  };
}

function notificationLine(n: EventView['notifications'][number]): string {
  if (!n.sent) return `  → ${n.webhook}: not sent (${n.reason ?? 'no reason recorded'})`;
  const last = n.attempts[n.attempts.length - 1];
  const tries = `${n.attempts.length} attempt${n.attempts.length === 1 ? '' : 's'}`;
  if (n.delivery?.status === 'done' || last?.ok) return `  → ${n.webhook}: delivered${last?.statusCode ? ` (HTTP ${last.statusCode}, ${tries})` : ''}`;
  if (n.delivery && n.delivery.status !== 'pending' && n.delivery.status !== 'inflight') return `  → ${n.webhook}: ${n.delivery.status} after ${tries}${n.delivery.lastError ? `: ${n.delivery.lastError}` : ''}`;
  return `  → ${n.webhook}: queued${n.attempts.length > 0 ? `, ${tries} so far${last?.error ? `, last: ${last.error}` : ''}` : ''}`;
}

/** The explanation as text, one line per event and notification, for people and the CLI. */
function summaryLines(events: EventView[], acknowledgements: Array<{ by: string; at: string; comment: string }>): string[] {
  const lines: string[] = [];
  for (const { event, notifications, mutedBy } of events) {
    const data = event.data as Partial<AlertEventData>;
    const value = data.value === undefined || data.value === null ? '' : ` with value ${data.value}`;
    const reason = data.reason ? ` (${data.reason})` : '';
    lines.push(`${event.time} ${event.type}${value}${reason}${mutedBy ? `, muted: ${mutedBy}` : ''}`);
    if (notifications.length === 0) lines.push('  → no webhook takes this event');
    lines.push(...notifications.map(notificationLine));
  }
  for (const ack of acknowledgements) lines.push(`${ack.at} acknowledged by ${ack.by}${ack.comment ? `: ${ack.comment}` : ''}`);
  return lines;
}

function explain(runtime: Runtime, alertId: string) {
  const history = runtime.store.listAlertHistory({ alertId, limit: MAX_PAGE }).reverse();
  const logged = runtime.store.listEvents({ alertId, limit: MAX_PAGE });
  const acknowledgements = runtime.store.listAcknowledgements(alertId).map((a) => ({ by: a.by, at: iso(a.at), comment: a.comment }));
  const alert = activeAlerts(runtime).find((a) => a.alertId === alertId) ?? pastAlert(alertId, logged[0], history, acknowledgements.length > 0);
  if (!alert) {
    throw new ApiError(404, 'not_found', `no alert with the id '${alertId}'`, {
      hint: 'alert ids are listed by GET /api/v1/alerts and /api/v1/alerts/history and sent as alert_id in events; alerts older than the history retention (30 days) are forgotten',
    });
  }
  const secrets = knownSecrets(runtime);
  const events = logged.reverse().map((entry) => eventView(entry, runtime, secrets));
  return { alert, transitions: history.map(historyView), events, acknowledgements, summary: summaryLines(events, acknowledgements) };
}

// ---------------------------------------------------------------------------------------------
// Routes

interface AlertsQuery {
  rule?: string;
  severity?: Severity;
  status?: ActiveStatus;
  entity?: string;
}

interface HistoryQuery {
  rule?: string;
  series?: string;
  alert?: string;
  since?: string;
  until?: string;
  limit?: string;
  before?: string;
}

const ackBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 2000, description: 'why, or what is being done about it' } },
} as const;

export function alertRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/alerts', permission: 'read', tag: 'alerts',
      summary: 'Active alerts (open, pending, no data), most severe first, with value, open time and duration',
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            rule: { type: 'string', minLength: 1, maxLength: 200 },
            severity: { type: 'string', enum: [...SEVERITIES] },
            status: { type: 'string', enum: [...ALERT_STATUSES] },
            entity: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
      handler: (request, _reply, { runtime }) => {
        const query = request.query as AlertsQuery;
        const alerts = activeAlerts(runtime).filter((a) =>
          (query.rule === undefined || a.rule === query.rule) && (query.severity === undefined || a.severity === query.severity)
          && (query.status === undefined || a.status === query.status) && (query.entity === undefined || a.entity === query.entity));
        return { alerts };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/alerts/history', permission: 'read', tag: 'alerts',
      summary: 'Alert transitions and decisions, newest first (open, repeat, cancel, nodata, flapping, acknowledged)',
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            rule: { type: 'string', minLength: 1, maxLength: 200 },
            series: { type: 'string', minLength: 1, maxLength: 2000, description: 'a series key' },
            alert: { type: 'string', minLength: 1, maxLength: 200, description: 'an alert id' },
            ...timeQueryProperties,
            ...pageQueryProperties,
          },
        },
      },
      handler: (request, _reply, { runtime }) => {
        const query = request.query as HistoryQuery;
        const now = runtime.engine.now();
        const page = parsePage(query);
        const rows = runtime.store.listAlertHistory({
          ...page, rule: query.rule, seriesKey: query.series, alertId: query.alert,
          since: parseTimeParameter('since', query.since, now), until: parseTimeParameter('until', query.until, now),
        });
        return { history: rows.map(historyView), nextBefore: nextBefore(rows, page) };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/alerts/:id', permission: 'read', tag: 'alerts',
      summary: 'Explain one alert: its state, every transition with its value, every event with each notification (sent or why not) and delivery attempt',
      schema: { params: idParams },
      handler: (request, _reply, { runtime }) => explain(runtime, (request.params as { id: string }).id),
    }),
    route({
      method: 'POST', url: '/api/v1/alerts/:id/ack', permission: 'alerts:ack', tag: 'alerts',
      summary: 'Acknowledge an open alert: no more repeats; recorded with who and why',
      schema: { params: idParams, body: ackBody },
      handler: (request, _reply, { runtime, actor }) => {
        const { id } = request.params as { id: string };
        const comment = (request.body as { comment?: string }).comment ?? '';
        const alert = activeAlerts(runtime).find((a) => a.alertId === id);
        const notOpen = () => {
          const why = alert ? `is ${alert.status}` : 'is not active';
          return new ApiError(404, 'not_open', `alert '${id}' ${why}; only open alerts can be acknowledged`, {
            hint: 'GET /api/v1/alerts?status=open lists the open alerts; GET /api/v1/alerts/:id explains what happened to this one',
          });
        };
        if (!alert || alert.status !== 'open') throw notOpen();
        const at = runtime.engine.now();
        const batch = runtime.changeBatch(actor, 'ack', 'alert', id, { rule: alert.rule, seriesKey: alert.seriesKey, ...(comment ? { comment } : {}) });
        // The acknowledgement is a decision in the alert's life: it shows among its transitions.
        batch.history = [{ alertId: id, rule: alert.rule, seriesKey: alert.seriesKey, type: 'acknowledged', time: at, value: null, details: { by: actor, ...(comment ? { comment } : {}) } }];
        let ack: Acknowledgement | undefined;
        // The engine's change and the acknowledgement are stored in one transaction.
        const found = runtime.acknowledge(id, (merged) => { ack = runtime.store.acknowledge({ alertId: id, by: actor, at, comment }, merged); }, batch);
        if (!found || ack === undefined) throw notOpen();
        return { acknowledged: true, alertId: id, alreadyAcknowledged: alert.acknowledged, acknowledgement: { by: ack.by, at: iso(ack.at), comment: ack.comment } };
      },
    }),
  ];
}
