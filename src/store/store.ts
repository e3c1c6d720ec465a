/**
 * What tocsin keeps on disk (SPEC §4, §6, §7, §9), as an interface free of any database type so a
 * PostgreSQL implementation can serve the same tables later.
 *
 * The interface is cut into slices (`AlertStore`, `OutboxStore`, …) so each module depends only on
 * what it uses: delivery takes an `OutboxStore & DeliveryLogStore`, the engine an `AlertStore`.
 *
 * Conventions:
 * - Times are epoch milliseconds (`EpochMs`), always passed in by the caller: the store never reads
 *   the clock, so replay and tests control time.
 * - Fields documented as "JSON" are stored as JSON text and handed back parsed as `unknown`: their
 *   owner (engine, server) defines and validates the shape; the store does not interpret them.
 * - Methods taking `also?` write that batch in the same transaction, so an admin change, its audit
 *   row and its `config.changed` outbox rows are all-or-nothing. It is written only when the change
 *   happened (a delete of a missing name writes no audit row).
 * - Methods are synchronous because node:sqlite is; a PostgreSQL implementation would need an async
 *   twin of this interface (same names, Promise results).
 */
import type { Entity, MetricMetadata } from '../model/sample.js';
import type { TocsinEvent } from '../model/event.js';

export type EpochMs = number;

// ---------------------------------------------------------------------------------------------
// Alert state, history and the events log (SPEC §4)

/** Identifies the alert state of one series of one rule. */
export interface AlertKey {
  rule: string;
  seriesKey: string;
}

/** The persisted state of one (rule, series). `state` is the engine's record, kept as opaque JSON. */
export interface StoredAlertState extends AlertKey {
  /** Null while no alert exists yet (e.g. inactive). */
  alertId: string | null;
  /** The engine's status name (inactive, pending, open, …), indexed for `GET /alerts`. */
  status: string;
  /** JSON. */
  state: unknown;
  updatedAt: EpochMs;
}

export type AlertStateInput = Omit<StoredAlertState, 'updatedAt'>;

/** One transition or decision in an alert's life, for `GET /alerts/history` and the "explain" view. */
export interface AlertHistoryInput extends AlertKey {
  alertId: string | null;
  /** Transition or decision name: pending, open, repeat, cancel, nodata, flapping, acknowledged, muted, … */
  type: string;
  time: EpochMs;
  /** The value that caused it, when there is one. */
  value: number | null;
  /** JSON: evaluation details (expression values, reason, …). */
  details?: unknown;
}

export interface AlertHistoryEntry extends AlertHistoryInput {
  id: number;
  details: unknown;
}

export interface AlertHistoryQuery {
  alertId?: string;
  rule?: string;
  seriesKey?: string;
  /** Inclusive lower bound on `time`. */
  since?: EpochMs;
  /** Exclusive upper bound on `time`. */
  until?: EpochMs;
  /** Paging cursor: only entries with a smaller id. Results are newest first. */
  beforeId?: number;
  limit?: number;
}

/** An emitted event, whether or not any webhook received it: the "why none was sent" record. */
export interface EventLogInput {
  event: TocsinEvent;
  alertId: string | null;
  rule: string | null;
  seriesKey: string | null;
  /** JSON: routing decisions per notify target (queued, filtered, muted, flapping, outside schedule). */
  details?: unknown;
}

export interface EventLogEntry extends EventLogInput {
  /** `event.time` as epoch ms. */
  time: EpochMs;
  recordedAt: EpochMs;
  details: unknown;
}

export interface EventLogQuery {
  alertId?: string;
  rule?: string;
  type?: string;
  since?: EpochMs;
  until?: EpochMs;
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// The outbox (SPEC §6)

export const OUTBOX_STATUSES = ['pending', 'inflight', 'done', 'failed', 'discarded', 'dropped'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
/** Statuses a notification never leaves by itself (only `retryDelivery` re-queues them). */
export type FinalFailureStatus = 'failed' | 'discarded' | 'dropped';

/** One notification to enqueue: an event for one webhook. */
export interface OutboxInput {
  event: TocsinEvent;
  webhook: string;
  /** Template name, or null for the webhook's own template. */
  template: string | null;
  /**
   * Rows with the same (webhook, orderingKey) are delivered one at a time in insertion order; null = unordered.
   * For alert events the series (rule + series key), so the order holds across the alert's episodes.
   */
  orderingKey: string | null;
  /** For lookups by alert; defaults to `event.data.alert_id` when that is a string. */
  alertId?: string | null;
  /** First attempt not before this time; defaults to the batch's `now`. */
  notBefore?: EpochMs;
  /**
   * Recorded as dropped at once with this reason, never sent (a lossy webhook over its limit): the
   * row keeps the notification visible in the alert's explanation and the delivery list.
   */
  dropped?: string;
}

export interface OutboxRow {
  /** Increasing: insertion order is delivery order within an ordering key. */
  id: number;
  eventId: string;
  event: TocsinEvent;
  webhook: string;
  template: string | null;
  orderingKey: string | null;
  alertId: string | null;
  status: OutboxStatus;
  /** Requests sent for this notification (since it was last queued); a claim handed back unsent does not count. */
  attempts: number;
  /** Bumped by every claim and release, never reset: the token a settlement must carry to apply. */
  fence: number;
  nextAttemptAt: EpochMs;
  createdAt: EpochMs;
  /** When the row (re-)entered the queue: `discard_after` counts from here, so a manual retry gets a fresh period. */
  queuedAt: EpochMs;
  leaseUntil: EpochMs | null;
  lastError: string | null;
  updatedAt: EpochMs;
}

export interface ClaimOptions {
  /** Only rows of this webhook (per-webhook workers and concurrency limits). */
  webhook?: string;
  /**
   * Fair claiming: each webhook is claimed for apart, up to its own number here (the free part of
   * its budget of claimed rows; 0 = none now); a webhook not named gets `defaultBudget` (or `limit`).
   * `limit` still caps the total.
   */
  budgets?: Readonly<Record<string, number>>;
  defaultBudget?: number;
}

export interface OutboxQuery {
  webhook?: string;
  status?: OutboxStatus;
  eventId?: string;
  alertId?: string;
  /** Paging cursor; results are newest first. */
  beforeId?: number;
  limit?: number;
}

export interface OutboxDepth {
  webhook: string;
  pending: number;
  inflight: number;
}

/** Unfinished (pending + inflight) notifications of one webhook and the bytes of their events. */
export interface OutboxUsage {
  webhook: string;
  rows: number;
  eventBytes: number;
}

interface OutcomeBase {
  /** Outbox row id. */
  id: number;
  at: EpochMs;
  /**
   * The `fence` of the claimed row. When given, the outcome applies only if nobody re-claimed or
   * released the row since (its lease expired and another worker took it): a token against stale workers.
   */
  fence?: number;
  /** A request was sent for this outcome: `attempts` counts it. */
  sent?: boolean;
  /** The attempt to log and count, in the same transaction. */
  log?: DeliveryAttemptInput;
}

/** What `settle` writes with its outcomes, knowing which applied. */
export type SettleFollow = (applied: readonly boolean[]) => CommitBatch | undefined;

/** How one claimed notification ended; `settle` applies many of them in one transaction. */
export type DeliveryOutcome =
  | (OutcomeBase & { outcome: 'delivered' })
  | (OutcomeBase & { outcome: 'retry'; nextAttemptAt: EpochMs; error: string })
  | (OutcomeBase & { outcome: FinalFailureStatus; error: string });

// ---------------------------------------------------------------------------------------------
// Delivery attempts log and counters (SPEC §6)

/** The body kept of a response: the first 4 KiB, as Axibase's "Log Response". */
export const RESPONSE_BODY_LIMIT_BYTES = 4096;

export interface DeliveryAttemptInput {
  /** Null for attempts that did not go through the outbox (a webhook test sent directly). */
  outboxId: number | null;
  eventId: string;
  webhook: string;
  time: EpochMs;
  /** HTTP status, null when no response arrived (network error, timeout). */
  statusCode: number | null;
  latencyMs: number;
  responseHeaders: Record<string, string> | null;
  /** Truncated by the store to `RESPONSE_BODY_LIMIT_BYTES` bytes of UTF-8. */
  responseBody: string | null;
  error: string | null;
  /** Counted as a successful invocation (2xx). */
  ok: boolean;
}

export interface DeliveryAttempt extends DeliveryAttemptInput {
  id: number;
  /** Copied from the outbox row, so lookups by alert survive outbox pruning. */
  alertId: string | null;
}

export interface DeliveryAttemptQuery {
  webhook?: string;
  eventId?: string;
  alertId?: string;
  outboxId?: number;
  /** Paging cursor; results are newest first. */
  beforeId?: number;
  limit?: number;
}

export interface WebhookTotals {
  webhook: string;
  successes: number;
  failures: number;
  lastSuccessAt: EpochMs | null;
  lastFailureAt: EpochMs | null;
}

export interface MinuteCount {
  /** Start of the minute, epoch ms. */
  minute: EpochMs;
  successes: number;
  failures: number;
}

export interface WebhookStats extends WebhookTotals {
  /** Oldest first; minutes without invocations are absent. */
  perMinute: MinuteCount[];
}

// ---------------------------------------------------------------------------------------------
// Configuration objects managed through the API (SPEC §6, §5)

export const CONFIG_KINDS = ['webhook', 'template'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

export interface ConfigObject {
  kind: ConfigKind;
  name: string;
  /** JSON: the webhook or template definition as validated by the server. */
  body: unknown;
  /** 1 on creation, +1 per update: an ETag for optimistic concurrency. */
  version: number;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  updatedBy: string;
}

export interface ConfigPut {
  kind: ConfigKind;
  name: string;
  body: unknown;
  actor: string;
  at: EpochMs;
  /** When given, the write succeeds only if the stored version is this one (0 = must not exist yet). */
  expectedVersion?: number;
}

// ---------------------------------------------------------------------------------------------
// Access: tokens and audit (SPEC §7)

export interface ApiToken {
  /** Chosen by the access module (e.g. `tok_…`), shown in `token list`. */
  id: string;
  /** Unique among tokens that are not revoked. */
  name: string;
  role: string;
  /** Hex SHA-256 of the secret token; the token itself is never stored. */
  tokenHash: string;
  createdAt: EpochMs;
  lastUsedAt: EpochMs | null;
  revokedAt: EpochMs | null;
}

export type ApiTokenInput = Pick<ApiToken, 'id' | 'name' | 'role' | 'tokenHash' | 'createdAt'>;

export interface AuditInput {
  actor: string;
  /** create, update, delete, revoke, ack, reload, … */
  action: string;
  /** webhook, template, token, silence, alert, rules, … */
  kind: string;
  name: string;
  at: EpochMs;
  /** JSON (never secrets). */
  details?: unknown;
}

export interface AuditEntry extends AuditInput {
  id: number;
  details: unknown;
}

export interface AuditQuery {
  actor?: string;
  kind?: string;
  name?: string;
  since?: EpochMs;
  until?: EpochMs;
  beforeId?: number;
  limit?: number;
}

// ---------------------------------------------------------------------------------------------
// Silences and acknowledgements (SPEC §4)

export interface Silence {
  id: string;
  /** JSON: the matchers as the server validated them. */
  matchers: unknown;
  startsAt: EpochMs;
  endsAt: EpochMs;
  createdBy: string;
  comment: string;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export type SilenceInput = Omit<Silence, 'createdAt' | 'updatedAt'> & { at: EpochMs };

export interface SilenceQuery {
  /** Only silences with startsAt <= activeAt < endsAt. */
  activeAt?: EpochMs;
  /** Only silences that have not ended before this time (active and future ones). */
  endingAfter?: EpochMs;
}

export interface AcknowledgementInput {
  alertId: string;
  by: string;
  at: EpochMs;
  comment: string;
}

export interface Acknowledgement extends AcknowledgementInput {
  id: number;
}

// ---------------------------------------------------------------------------------------------
// Catalog and window snapshots

export interface StoredEntity extends Entity {
  updatedAt: EpochMs;
}

export interface StoredMetricMetadata extends MetricMetadata {
  updatedAt: EpochMs;
}

export interface WindowSnapshot extends AlertKey {
  /** JSON: the engine's serialised window. */
  data: unknown;
  savedAt: EpochMs;
}

// ---------------------------------------------------------------------------------------------
// The unit of work

/**
 * Everything one engine step (or one admin action) changes, written in ONE transaction: a crash
 * leaves either all of it or none of it. This is what makes "persist the transition together with
 * the notifications it creates" (SPEC §4) true.
 */
export interface CommitBatch {
  /** Engine clock: `updatedAt`, `createdAt` and the default `notBefore`. */
  now: EpochMs;
  upsertAlertStates?: AlertStateInput[];
  deleteAlertStates?: AlertKey[];
  history?: AlertHistoryInput[];
  events?: EventLogInput[];
  outbox?: OutboxInput[];
  audit?: AuditInput[];
}

export interface CommitResult {
  /**
   * Ids of the outbox rows, in the order of `batch.outbox`. An event already queued for the same
   * webhook (same event id) is not queued again; its existing row's id is returned.
   */
  outboxIds: number[];
}

/** What `prune` removes: rows older than each cutoff (absent = keep). */
export interface PruneCutoffs {
  deliveryAttemptsBefore?: EpochMs;
  /** Finished outbox rows (done, failed, discarded, dropped) last updated before this. */
  finishedOutboxBefore?: EpochMs;
  historyBefore?: EpochMs;
  eventsBefore?: EpochMs;
  /** Per-minute counter buckets (SPEC: kept 24 h); totals are never pruned. */
  counterMinutesBefore?: EpochMs;
  auditBefore?: EpochMs;
}

export type PruneCounts = Record<keyof PruneCutoffs, number>;

// ---------------------------------------------------------------------------------------------
// The slices

export interface AlertStore {
  commit(batch: CommitBatch): CommitResult;
  /** Every persisted state, read once at start. */
  loadAlertStates(): StoredAlertState[];
  listAlertStates(filter?: { status?: string; rule?: string }): StoredAlertState[];
  getAlertStateByAlertId(alertId: string): StoredAlertState | null;
  listAlertHistory(query: AlertHistoryQuery): AlertHistoryEntry[];
  getEvent(eventId: string): EventLogEntry | null;
  /** Newest first. */
  listEvents(query: EventLogQuery): EventLogEntry[];
}

export interface OutboxStore {
  /**
   * Takes up to `limit` notifications that are due — pending with `nextAttemptAt <= now`, or inflight
   * with an expired lease (a crashed worker) — skipping any row behind an earlier unfinished row of
   * the same (webhook, orderingKey). Marks them inflight until `now + leaseMs`. One transaction.
   */
  claimDue(now: EpochMs, limit: number, leaseMs: number, options?: ClaimOptions): OutboxRow[];
  /**
   * Applies outcomes in one transaction; returns, per outcome, whether it applied (the row was still
   * ours and inflight). `follow` is called inside that transaction with the same answer; the batch it
   * returns (delivery.failed of the failures that applied) is written with the outcomes or not at all.
   */
  settle(outcomes: DeliveryOutcome[], follow?: SettleFollow): boolean[];
  /**
   * Makes rows left in flight by a delivery process that is gone due at once; returns how many.
   * For a store only this process delivers from (SQLite); a shared store relies on leases instead.
   */
  releaseOrphanedClaims(now: EpochMs): number;
  markDelivered(id: number, at: EpochMs, log?: DeliveryAttemptInput): boolean;
  reschedule(id: number, nextAttemptAt: EpochMs, error: string, at: EpochMs, log?: DeliveryAttemptInput): boolean;
  markFailed(id: number, status: FinalFailureStatus, error: string, at: EpochMs, log?: DeliveryAttemptInput): boolean;
  /** Re-queues a failed, discarded or dropped row (API retry); null when no such row. */
  retryDelivery(id: number, at: EpochMs, also?: CommitBatch): OutboxRow | null;
  /** Pending + inflight rows, of one webhook or all. */
  outboxDepth(webhook?: string): number;
  outboxDepths(): OutboxDepth[];
  /** Unfinished rows and event bytes per webhook with any (kept as rows move, so reading it is cheap). */
  outboxUsage(): OutboxUsage[];
  /** Marks the oldest pending rows of a lossy webhook as dropped and returns them. */
  dropOldestPending(webhook: string, count: number, at: EpochMs): OutboxRow[];
  /** Earliest time a claim could return something (due pending or lease expiry); null when the queue is empty. */
  nextDueAt(options?: ClaimOptions): EpochMs | null;
  getOutboxRow(id: number): OutboxRow | null;
  listOutbox(query: OutboxQuery): OutboxRow[];
}

export interface DeliveryLogStore {
  /** Logs an attempt and counts it (success or failure per minute and in the totals). */
  recordAttempt(attempt: DeliveryAttemptInput): DeliveryAttempt;
  listDeliveryAttempts(query: DeliveryAttemptQuery): DeliveryAttempt[];
  /** Counts one invocation without logging it. */
  recordOutcome(webhook: string, at: EpochMs, ok: boolean): void;
  /** Totals plus per-minute buckets from `sinceMs` on. */
  webhookStats(webhook: string, sinceMs: EpochMs): WebhookStats;
  /** Totals of every webhook that has been invoked, for list views. */
  webhookTotals(): WebhookTotals[];
}

export interface ConfigStore {
  listConfigObjects(kind: ConfigKind): ConfigObject[];
  getConfigObject(kind: ConfigKind, name: string): ConfigObject | null;
  /** Creates or replaces; throws `StoreConflictError` when `expectedVersion` does not match. */
  putConfigObject(put: ConfigPut, also?: CommitBatch): { created: boolean; object: ConfigObject };
  /** Returns the names that existed and were deleted. */
  deleteConfigObjects(kind: ConfigKind, names: string[], also?: CommitBatch): string[];
}

export interface AccessStore {
  /** Throws `StoreConflictError` when the id exists or an active token has the name. */
  createToken(token: ApiTokenInput, also?: CommitBatch): ApiToken;
  /** The token with this hash unless revoked. */
  findActiveToken(tokenHash: string): ApiToken | null;
  getToken(id: string): ApiToken | null;
  listTokens(): ApiToken[];
  touchToken(id: string, at: EpochMs): void;
  /** False when no such token or already revoked. */
  revokeToken(id: string, at: EpochMs, also?: CommitBatch): boolean;
  appendAudit(entry: AuditInput): AuditEntry;
  /** Newest first. */
  listAudit(query: AuditQuery): AuditEntry[];
}

export interface SilenceStore {
  /** Creates or replaces the silence with this id; returns the stored one. */
  putSilence(silence: SilenceInput, also?: CommitBatch): Silence;
  getSilence(id: string): Silence | null;
  listSilences(query?: SilenceQuery): Silence[];
  /** Returns the ids that existed and were deleted. */
  deleteSilences(ids: string[], also?: CommitBatch): string[];
  /** Records an acknowledgement; `also` usually carries the engine's state change (repeats stop) and the audit row. */
  acknowledge(ack: AcknowledgementInput, also?: CommitBatch): Acknowledgement;
  /** Oldest first. */
  listAcknowledgements(alertId: string): Acknowledgement[];
}

export interface CatalogStore {
  upsertEntities(entities: Entity[], at: EpochMs): void;
  getEntity(name: string): StoredEntity | null;
  listEntities(): StoredEntity[];
  deleteEntities(names: string[]): string[];
  upsertMetrics(metrics: MetricMetadata[], at: EpochMs): void;
  getMetric(name: string): StoredMetricMetadata | null;
  listMetrics(): StoredMetricMetadata[];
}

export interface SnapshotStore {
  /** Upserts snapshots; with `replaceAll`, snapshots of series not in the list are removed (shutdown snapshot). */
  saveWindowSnapshots(snapshots: Array<AlertKey & { data: unknown }>, at: EpochMs, options?: { replaceAll?: boolean }): void;
  loadWindowSnapshots(): WindowSnapshot[];
  deleteWindowSnapshots(keys: AlertKey[]): void;
}

export interface Store
  extends AlertStore, OutboxStore, DeliveryLogStore, ConfigStore, AccessStore, SilenceStore, CatalogStore, SnapshotStore {
  /** Deletes old rows per retention; returns how many of each went. */
  prune(cutoffs: PruneCutoffs): PruneCounts;
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** A write refused because of what is stored (a name taken, a version moved on): the API answers 409. */
export class StoreConflictError extends Error {
  readonly code = 'STORE_CONFLICT';
  override name = 'StoreConflictError';
}

/** The database file cannot be used by this version (written by a newer tocsin, or not a tocsin store). */
export class StoreVersionError extends Error {
  readonly code = 'STORE_VERSION';
  override name = 'StoreVersionError';
}
