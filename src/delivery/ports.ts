/**
 * What delivery needs from the rest of tocsin, and nothing more. The worker is written against
 * these ports so it can be tested with in-memory fakes and wired to any store.
 *
 * `OutboxPort` is a structural subset of `OutboxStore & DeliveryLogStore` (src/store/store.ts): the
 * SQLite store plugs in as it is (test/delivery/ports.test.ts keeps that true). Methods may return
 * a value or a promise, so an asynchronous PostgreSQL store fits too.
 */
import type { TocsinEvent } from '../model/event.js';
import type { ContentType, Webhook } from './webhook.js';

export type MaybePromise<T> = T | Promise<T>;

/** The fields of a claimed outbox row the worker reads. */
export interface ClaimedRow {
  id: number;
  event: TocsinEvent;
  webhook: string;
  /** A template name overriding the webhook's (a rule's `notify: template:`), or null. */
  template: string | null;
  /** Rows of one key (a series: rule + series key) are delivered one at a time in id order; null = unordered. */
  orderingKey: string | null;
  /** Requests sent for this notification before this claim (0 on the first). */
  attempts: number;
  /** The claim's fencing token: the settlement carries it and applies only if nobody claimed the row since. */
  fence: number;
  /** When the notification (re-)entered the queue; `discard_after` counts from here. */
  queuedAt: number;
}

/** One attempt as the delivery log keeps it (and counts it per webhook and minute). */
export interface AttemptLog {
  outboxId: number | null;
  eventId: string;
  webhook: string;
  time: number;
  statusCode: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string> | null;
  responseBody: string | null;
  error: string | null;
  ok: boolean;
}

export type FinalFailure = 'failed' | 'discarded' | 'dropped';

interface SettlementBase {
  id: number;
  at: number;
  /** The claimed row's `fence`: the settlement applies only if nobody re-claimed the row since. */
  fence?: number;
  /** A request was sent: the row's `attempts` counts it. */
  sent?: boolean;
  /** Logged and counted (successes/failures, total and per minute) in the same transaction. */
  log?: AttemptLog;
  /**
   * The delivery.failed this outcome causes. A port that can (the runtime's) routes and stores it in
   * the settlement's own transaction, so a crash never keeps one without the other; otherwise the
   * worker hands it to `events` once the settlement applied.
   */
  failure?: TocsinEvent;
}

export type Settlement =
  | (SettlementBase & { outcome: 'delivered' })
  | (SettlementBase & { outcome: 'retry'; nextAttemptAt: number; error: string })
  | (SettlementBase & { outcome: FinalFailure; error: string });

/** Fair claiming: per webhook, how many rows it may take now (see ClaimOptions in src/store/store.ts). */
export interface ClaimBudgets {
  budgets: Readonly<Record<string, number>>;
  /** For webhooks not named in `budgets` (removed from the configuration, say). */
  defaultBudget: number;
}

export interface OutboxPort {
  /**
   * Up to `limit` due rows, leased until now + leaseMs, in id order, each webhook within its budget.
   * Must never return a row while an earlier row of the same (webhook, orderingKey) is unfinished:
   * that is what keeps a series' events in order.
   */
  claimDue(now: number, limit: number, leaseMs: number, budgets?: ClaimBudgets): MaybePromise<ClaimedRow[]>;
  /** Applies the outcomes (one transaction); per outcome, whether it applied. */
  settle(outcomes: Settlement[]): MaybePromise<boolean[]>;
  /**
   * Called once when the worker starts: rows a previous, gone process left in flight become due
   * at once (SQLite). A store shared by several processes leaves this out and relies on leases.
   */
  releaseOrphanedClaims?(now: number): MaybePromise<number>;
  /** Earliest time a claim could return something, or null: lets the worker sleep exactly. */
  nextDueAt?(): MaybePromise<number | null>;
}

/** For the bounded outbox (admission.ts). */
export interface OutboxDepthPort {
  /** Pending + in-flight rows of the webhook. */
  outboxDepth(webhook: string): MaybePromise<number>;
  /** Marks the oldest pending rows as dropped and returns them. */
  dropOldestPending(webhook: string, count: number, at: number): MaybePromise<ClaimedRow[]>;
}

export interface RenderedBody {
  body: string;
  /** The full header value, e.g. `application/json; charset=utf-8`. */
  contentType: string;
}

/** The templates module, seen from delivery. */
export interface Renderer {
  /** Renders `event` with the named template (or preset); throws when it cannot. */
  /** `settings`: who receives the body (#receiver) and the webhook's template parameters (#params.NAME). */
  render(template: string, event: TocsinEvent, contentType: ContentType, settings?: { receiver?: string; params?: Readonly<Record<string, string>> }): RenderedBody;
  /** Axibase signs form bodies over the parameters sorted by name, URL-encoded, joined with '&'. */
  formSigningString(body: string): string;
}

/** Where delivery.failed events go (back into routing, so another webhook can page about it). */
export interface EventSink {
  emit(event: TocsinEvent): MaybePromise<void>;
}

/** The current webhook configuration (it changes on reload and API edits). */
export interface WebhookDirectory {
  get(name: string): Webhook | undefined;
  /** Every configured webhook's name: the worker gives each its budget of claimed rows. */
  names?(): Iterable<string>;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The subset of pino's logger delivery uses. */
export interface Logger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export const silentLogger: Logger = { warn: () => {}, error: () => {}, debug: () => {} };
