/**
 * What the demo prints about the pipeline: each event the engine emitted (with the webhooks that
 * did not get it, and why), each request the receiver got, and each delivery attempt. Events and
 * attempts are read from the store, the record tocsin keeps anyway; an event is announced the first
 * time anyone sees it (the poll or the receiver), so its line always comes before its delivery.
 */
import type { AlertEventData, TocsinEvent } from '../../model/event.js';
import type { NotificationDecision } from '../../service/notify.js';
import type { DeliveryAttempt, DeliveryAttemptQuery, EventLogEntry, EventLogQuery, OutboxQuery, OutboxRow } from '../../store/store.js';
import { bodyLines, timeLabel } from './format.js';
import { signatureHeaderName, signatureIsValid, type ReceivedRequest } from './receiver.js';
import type { DemoWebhook } from './setup.js';

/** The part of the store the narrator reads. */
export interface NarratorStore {
  listEvents(query: EventLogQuery): EventLogEntry[];
  listOutbox(query: OutboxQuery): OutboxRow[];
  listDeliveryAttempts(query: DeliveryAttemptQuery): DeliveryAttempt[];
}

/** One request the receiver got, as the demo understood it. */
export interface Received {
  webhook: string | null;
  /** The event type, looked up by the request's webhook-id; null when unknown. */
  eventType: string | null;
  signatureValid: boolean;
  request: ReceivedRequest;
}

export interface NarratorOptions {
  store: NarratorStore;
  webhooks: readonly DemoWebhook[];
  /** Simulated epoch ms of the demo's start: times are printed relative to it. */
  start: number;
  print: (line: string) => void;
  /** Body lines shown per request. */
  maxBodyLines?: number;
}

const INDENT = '       ';
/** Events committed just before a poll may carry a slightly older time than the newest seen. */
const POLL_OVERLAP_MS = 10 * 60_000;

const shortId = (id: string) => (id.length > 13 ? `${id.slice(0, 13)}…` : id);

function isDecision(value: unknown): value is NotificationDecision {
  return value !== null && typeof value === 'object' && typeof (value as { webhook?: unknown }).webhook === 'string' && typeof (value as { sent?: unknown }).sent === 'boolean';
}

/** `alert.open       container-down on web-1 (major, value 1)`. */
export function describeEvent(event: TocsinEvent): string {
  const type = event.type.padEnd(15);
  if (!event.type.startsWith('alert.')) return `${type} ${event.severity}`;
  const data = event.data as AlertEventData;
  const subject = `${data.rule} on ${data.entity.name}${data.tags.path ? ` ${data.tags.path}` : ''}`;
  if (event.type === 'alert.flapping') return `${type} ${subject}: changing state too often, its notifications are muted until it calms down`;
  const details = [event.severity, ...(data.value !== null ? [`value ${data.value}`] : []), ...(data.reason ? [`reason ${data.reason}`] : [])];
  return `${type} ${subject} (${details.join(', ')})`;
}

export class Narrator {
  readonly received: Received[] = [];
  readonly announced = new Map<string, TocsinEvent>();
  delivered = 0;
  failed = 0;
  readonly #options: NarratorOptions;
  readonly #webhooksByPath: Map<string, DemoWebhook>;
  #newestEventTime = -Infinity;
  #lastAttemptId = 0;

  constructor(options: NarratorOptions) {
    this.#options = options;
    this.#webhooksByPath = new Map(options.webhooks.map((webhook) => [webhook.path, webhook]));
  }

  #line(time: number | null, text: string): void {
    this.#options.print(`${time === null ? INDENT : `${timeLabel(time - this.#options.start)}  `}${text}`);
  }

  /** A line about what the feed does, at simulated time `time`. */
  say(time: number, text: string): void {
    this.#line(time, text);
  }

  /** Prints the events and delivery attempts that appeared since the last poll. */
  poll(): void {
    const { store } = this.#options;
    const since = Number.isFinite(this.#newestEventTime) ? this.#newestEventTime - POLL_OVERLAP_MS : undefined;
    const entries = store.listEvents({ ...(since !== undefined ? { since } : {}), limit: 1000 }).reverse();
    for (const entry of entries) this.#announce(entry.event, entry.details);
    const attempts = store.listDeliveryAttempts({ limit: 1000 }).filter((a) => a.id > this.#lastAttemptId).reverse();
    for (const attempt of attempts) this.#attempt(attempt);
  }

  /** The receiver got a request: find its event, check its signature, print it. */
  receive(request: ReceivedRequest): Received {
    const webhook = this.#webhooksByPath.get(request.path.split('?')[0]!) ?? null;
    const header = request.headers['webhook-id'];
    const eventId = typeof header === 'string' ? header : '';
    const event = webhook && eventId ? this.#eventOf(eventId, webhook.name) : null;
    const received: Received = {
      webhook: webhook?.name ?? null,
      eventType: event?.type ?? null,
      signatureValid: webhook !== null && signatureIsValid(request, webhook),
      request,
    };
    this.received.push(received);
    const about = [event?.type ?? 'unknown event', webhook ? `signature ${webhook.signature} ${received.signatureValid ? 'valid' : 'INVALID'}` : 'no such webhook'];
    this.#line(null, `receiver ← ${request.method} ${request.path} (${about.join(', ')})`);
    const signatureHeader = webhook ? signatureHeaderName(webhook) : 'x-signature';
    const shown = ['content-type', 'webhook-id', signatureHeader]
      .filter((name) => request.headers[name] !== undefined)
      .map((name) => `${name}: ${name === 'content-type' ? String(request.headers[name]) : shortId(String(request.headers[name]))}`);
    this.#line(null, `  ${shown.join('   ')}`);
    for (const line of bodyLines(request.body, this.#options.maxBodyLines ?? 8)) this.#line(null, `  ${line}`);
    return received;
  }

  #eventOf(eventId: string, webhook: string): TocsinEvent | null {
    const known = this.announced.get(eventId);
    if (known) return known;
    const row = this.#options.store.listOutbox({ eventId, webhook, limit: 1 })[0];
    if (!row) return null;
    // The request can arrive before the next poll: announce its event first, with its decisions.
    const logged = row.alertId === null ? undefined : this.#options.store.listEvents({ alertId: row.alertId, limit: 100 }).find((e) => e.event.id === eventId);
    this.#announce(row.event, logged?.details);
    return row.event;
  }

  #announce(event: TocsinEvent, details: unknown): void {
    if (this.announced.has(event.id)) return;
    this.announced.set(event.id, event);
    const time = Date.parse(event.time);
    if (time > this.#newestEventTime) this.#newestEventTime = time;
    this.#line(time, describeEvent(event));
    const decisions = (details as { notifications?: unknown } | null)?.notifications;
    const unsent = Array.isArray(decisions) ? decisions.filter(isDecision).filter((d) => !d.sent) : [];
    for (const decision of unsent) this.#line(null, `not sent to ${decision.webhook}: ${decision.reason ?? 'no reason recorded'}`);
    if (Array.isArray(decisions) && decisions.length === 0) this.#line(null, 'no webhook takes this event');
  }

  #attempt(attempt: DeliveryAttempt): void {
    this.#lastAttemptId = Math.max(this.#lastAttemptId, attempt.id);
    const type = this.announced.get(attempt.eventId)?.type ?? 'event';
    const outcome = attempt.statusCode === null ? (attempt.error ?? 'no response') : `HTTP ${attempt.statusCode}, ${attempt.latencyMs} ms`;
    if (attempt.ok) {
      this.delivered++;
      this.#line(null, `→ ${type} delivered to ${attempt.webhook} (${outcome})`);
    } else {
      this.failed++;
      this.#line(null, `✗ ${type} not delivered to ${attempt.webhook} (${outcome}); tocsin retries until discard_after`);
    }
  }
}
