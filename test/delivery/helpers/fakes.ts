/**
 * In-memory stand-ins for the ports delivery uses. The outbox keeps the store's contract (claim in
 * id order, never a row behind an unfinished earlier row of its key, attempts counted by the claim,
 * settlements fenced by attempts), so worker tests exercise the same guarantees as the SQLite store.
 */
import { EVENT_VERSIONS, type EventType, type TocsinEvent } from '../../../src/model/event.js';
import type { Severity } from '../../../src/model/severity.js';
import type { AttemptResult } from '../../../src/delivery/attempt.js';
import type {
  AttemptLog,
  ClaimBudgets,
  ClaimedRow,
  Clock,
  EventSink,
  OutboxDepthPort,
  OutboxPort,
  RenderedBody,
  Renderer,
  Settlement,
  WebhookDirectory,
} from '../../../src/delivery/ports.js';
import type { OutgoingRequest } from '../../../src/delivery/request.js';
import type { SendMeta, Sender } from '../../../src/delivery/sender.js';
import { parseWebhook, type Webhook } from '../../../src/delivery/webhook.js';
import { formSigningString } from '../../../src/templates/form.js';

export function makeWebhook(overrides: Record<string, unknown> = {}): Webhook {
  const result = parseWebhook({ name: 'hook', url: 'http://127.0.0.1:9/hook', ...overrides });
  if (!result.ok) throw new Error(`test webhook invalid: ${JSON.stringify(result.problems)}`);
  return result.webhook;
}

let sequence = 0;
export function makeEvent(overrides: Partial<TocsinEvent> & { type?: EventType; severity?: Severity } = {}): TocsinEvent {
  sequence++;
  const type = overrides.type ?? 'alert.open';
  return {
    id: overrides.id ?? `evt-${String(sequence).padStart(4, '0')}`,
    type,
    version: EVENT_VERSIONS[type],
    time: overrides.time ?? '2026-01-01T00:00:00.000Z',
    severity: overrides.severity ?? 'warning',
    data: overrides.data ?? { alert_id: 'a1', rule: 'cpu-high', value: 97 },
  };
}

export class ManualClock implements Clock {
  time: number;
  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export class Directory implements WebhookDirectory {
  readonly webhooks = new Map<string, Webhook>();
  constructor(...webhooks: Webhook[]) {
    for (const webhook of webhooks) this.webhooks.set(webhook.name, webhook);
  }
  get(name: string): Webhook | undefined {
    return this.webhooks.get(name);
  }
  names(): Iterable<string> {
    return this.webhooks.keys();
  }
}

export class CollectingSink implements EventSink {
  readonly events: TocsinEvent[] = [];
  emit(event: TocsinEvent): void {
    this.events.push(event);
  }
}

export interface FakeRow extends ClaimedRow {
  status: 'pending' | 'inflight' | 'done' | 'failed' | 'discarded' | 'dropped';
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: string | null;
}

export class InMemoryOutbox implements OutboxPort, OutboxDepthPort {
  readonly rows: FakeRow[] = [];
  readonly logs: AttemptLog[] = [];
  readonly settlements: Settlement[] = [];
  #nextId = 1;
  readonly #ordered: boolean;

  /** `ordered: false` hands out every due row, like a store without the ordering guarantee. */
  constructor(options: { ordered?: boolean } = {}) {
    this.#ordered = options.ordered ?? true;
  }

  add(event: TocsinEvent, webhook: string, options: { at?: number; orderingKey?: string | null; template?: string | null } = {}): number {
    const at = options.at ?? 0;
    const id = this.#nextId++;
    const orderingKey = options.orderingKey === undefined ? ((event.data as { alert_id?: string }).alert_id ?? null) : options.orderingKey;
    this.rows.push({ id, event, webhook, template: options.template ?? null, orderingKey, attempts: 0, fence: 0, queuedAt: at, status: 'pending', nextAttemptAt: at, leaseUntil: null, lastError: null });
    return id;
  }

  row(id: number): FakeRow {
    const row = this.rows.find((candidate) => candidate.id === id);
    if (row === undefined) throw new Error(`no row ${id}`);
    return row;
  }

  #blocked(row: FakeRow): boolean {
    return this.#ordered && row.orderingKey !== null && this.rows.some((earlier) => earlier.id < row.id && earlier.webhook === row.webhook && earlier.orderingKey === row.orderingKey && (earlier.status === 'pending' || earlier.status === 'inflight'));
  }

  /** Every call's budgets, for the fairness tests. */
  readonly claims: Array<ClaimBudgets | undefined> = [];

  claimDue(now: number, limit: number, leaseMs: number, budgets?: ClaimBudgets): ClaimedRow[] {
    this.claims.push(budgets);
    const taken = new Map<string, number>();
    const due = this.rows
      .filter((row) => ((row.status === 'pending' && row.nextAttemptAt <= now) || (row.status === 'inflight' && (row.leaseUntil ?? Infinity) <= now)) && !this.#blocked(row))
      .filter((row) => {
        if (budgets === undefined) return true;
        const budget = budgets.budgets[row.webhook] ?? budgets.defaultBudget;
        const used = taken.get(row.webhook) ?? 0;
        if (used >= budget) return false;
        taken.set(row.webhook, used + 1);
        return true;
      })
      .slice(0, limit);
    for (const row of due) {
      row.status = 'inflight';
      row.leaseUntil = now + leaseMs;
      row.fence++;
    }
    return due.map(({ id, event, webhook, template, orderingKey, attempts, fence, queuedAt }) => ({ id, event, webhook, template, orderingKey, attempts, fence, queuedAt }));
  }

  settle(outcomes: Settlement[]): boolean[] {
    return outcomes.map((outcome) => {
      this.settlements.push(outcome);
      if (outcome.log !== undefined) this.logs.push(outcome.log);
      const row = this.row(outcome.id);
      if (row.status !== 'inflight' || (outcome.fence !== undefined && outcome.fence !== row.fence)) return false;
      row.leaseUntil = null;
      if (outcome.sent === true) row.attempts++;
      if (outcome.outcome === 'delivered') row.status = 'done';
      else if (outcome.outcome === 'retry') {
        row.status = 'pending';
        row.nextAttemptAt = outcome.nextAttemptAt;
        row.lastError = outcome.error;
      } else {
        row.status = outcome.outcome;
        row.lastError = outcome.error;
      }
      return true;
    });
  }

  nextDueAt(): number | null {
    const times = this.rows.filter((row) => row.status === 'pending' && !this.#blocked(row)).map((row) => row.nextAttemptAt);
    return times.length === 0 ? null : Math.min(...times);
  }

  outboxDepth(webhook: string): number {
    return this.rows.filter((row) => row.webhook === webhook && (row.status === 'pending' || row.status === 'inflight')).length;
  }

  dropOldestPending(webhook: string, count: number): ClaimedRow[] {
    const victims = this.rows.filter((row) => row.webhook === webhook && row.status === 'pending').slice(0, count);
    for (const row of victims) row.status = 'dropped';
    return victims.map((row) => ({ ...row }));
  }

  /** Per-webhook counters as the delivery log keeps them. */
  counts(webhook: string): { successes: number; failures: number } {
    const logs = this.logs.filter((log) => log.webhook === webhook);
    return { successes: logs.filter((log) => log.ok).length, failures: logs.filter((log) => !log.ok).length };
  }

  statuses(): string[] {
    return this.rows.map((row) => row.status);
  }
}

/** Renders `{template, id, type, severity, data}`; the `events` preset renders the Stalwart envelope; `broken` throws. */
export class FakeRenderer implements Renderer {
  render(template: string, event: TocsinEvent, contentType: 'json' | 'form'): RenderedBody {
    if (template === 'broken') throw new Error("unknown variable '#nope'");
    if (contentType === 'form') {
      const params = new URLSearchParams({ template, id: event.id, type: event.type, severity: event.severity, note: 'a b&c=d' });
      return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    const value = template === 'events' ? { events: [{ id: event.id, createdAt: event.time, type: event.type, data: event.data }] } : { template, id: event.id, type: event.type, severity: event.severity, data: event.data };
    return { body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' };
  }

  /** The real helper of src/templates, so the e2e tests check it against the receiver recipe of docs/webhooks.md. */
  formSigningString(body: string): string {
    return formSigningString(body);
  }
}

export type Reply = Partial<Pick<AttemptResult, 'statusCode' | 'error' | 'responseHeaders' | 'responseBody'>>;

/** A sender answering from a script; records every request and the peak concurrency per webhook. */
export class ScriptedSender implements Sender {
  readonly requests: Array<{ webhook: string; request: OutgoingRequest; meta: SendMeta }> = [];
  readonly peak = new Map<string, number>();
  readonly #current = new Map<string, number>();
  readonly #reply: (call: { webhook: Webhook; request: OutgoingRequest; index: number }) => Reply | Promise<Reply>;
  readonly #clock: Clock;

  constructor(reply: (call: { webhook: Webhook; request: OutgoingRequest; index: number }) => Reply | Promise<Reply>, clock: Clock) {
    this.#reply = reply;
    this.#clock = clock;
  }

  async send(webhook: Webhook, request: OutgoingRequest, meta: SendMeta): Promise<AttemptResult> {
    const index = this.requests.length;
    this.requests.push({ webhook: webhook.name, request, meta });
    const current = (this.#current.get(webhook.name) ?? 0) + 1;
    this.#current.set(webhook.name, current);
    this.peak.set(webhook.name, Math.max(this.peak.get(webhook.name) ?? 0, current));
    try {
      const reply = await this.#reply({ webhook, request, index });
      const statusCode = reply.error ? null : (reply.statusCode ?? 200);
      return {
        webhook: webhook.name,
        url: request.url,
        messageId: meta.messageId,
        eventIds: meta.eventIds,
        time: this.#clock.now(),
        statusCode,
        latencyMs: 1,
        responseHeaders: reply.responseHeaders ?? {},
        responseBody: reply.responseBody ?? '',
        responseTruncated: false,
        error: reply.error ?? null,
        ok: statusCode !== null && statusCode >= 200 && statusCode < 300,
      };
    } finally {
      this.#current.set(webhook.name, (this.#current.get(webhook.name) ?? 1) - 1);
    }
  }

  /** Event ids in the order they were sent (batches flattened). */
  sentEventIds(): string[] {
    return this.requests.flatMap((call) => call.meta.eventIds);
  }
}
