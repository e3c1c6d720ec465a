/**
 * The `Store` on Node's built-in SQLite (SPEC §9: no native addon, WAL mode, one file). This class
 * is a façade: it opens the connection, runs migrations, chooses each operation's transaction and
 * durability, and hands the SQL to one module per area under ./sqlite/.
 */
import type { Entity, MetricMetadata } from '../model/sample.js';
import { migrate } from './migrations.js';
import * as access from './sqlite/access.js';
import * as alerts from './sqlite/alerts.js';
import { isEmptyBatch, prune, writeBatch } from './sqlite/batch.js';
import * as catalog from './sqlite/catalog.js';
import * as config from './sqlite/config.js';
import { SqliteConnection, type Durability } from './sqlite/connection.js';
import * as log from './sqlite/delivery-log.js';
import * as outbox from './sqlite/outbox.js';
import { outboxUsage } from './sqlite/outbox-depth.js';
import * as silences from './sqlite/silences.js';
import type {
  Acknowledgement,
  AcknowledgementInput,
  AlertHistoryEntry,
  AlertHistoryQuery,
  AlertKey,
  ApiToken,
  ApiTokenInput,
  AuditEntry,
  AuditInput,
  AuditQuery,
  ClaimOptions,
  CommitBatch,
  CommitResult,
  ConfigKind,
  ConfigObject,
  ConfigPut,
  DeliveryAttempt,
  DeliveryAttemptInput,
  DeliveryAttemptQuery,
  DeliveryOutcome,
  SettleFollow,
  EpochMs,
  EventLogEntry,
  EventLogQuery,
  FinalFailureStatus,
  OutboxDepth,
  OutboxQuery,
  OutboxUsage,
  OutboxRow,
  PruneCounts,
  PruneCutoffs,
  Silence,
  SilenceInput,
  SilenceQuery,
  Store,
  StoredAlertState,
  StoredEntity,
  StoredMetricMetadata,
  WebhookStats,
  WebhookTotals,
  WindowSnapshot,
} from './store.js';

export type { Durability } from './sqlite/connection.js';

export interface SqliteStoreOptions {
  /** See `Durability`: 'full' (default) fsyncs every commit that matters across power loss. */
  durability?: Durability;
  /** Wait this long for another process's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /** Only stamps `schema_version.applied_at`; injectable like every other clock reading. */
  now?: () => EpochMs;
}

export class SqliteStore implements Store {
  private readonly c: SqliteConnection;

  /** Opens (creating the file and its parent directory) and migrates; `':memory:'` for a private in-memory store. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.c = new SqliteConnection(path, { durability: options.durability, busyTimeoutMs: options.busyTimeoutMs });
    try {
      migrate(this.c.db, (options.now ?? Date.now)());
    } catch (error) {
      this.c.close();
      throw error;
    }
  }

  close(): void {
    this.c.close();
  }

  /** Runs `change` and, when it reports a change, writes `also` in the same transaction. */
  private withAlso<T>(also: CommitBatch | undefined, change: () => T, changed: (result: T) => boolean): T {
    return this.c.transaction('durable', () => {
      const result = change();
      if (also !== undefined && !isEmptyBatch(also) && changed(result)) writeBatch(this.c, also);
      return result;
    });
  }

  // Alert state, history, events

  commit(batch: CommitBatch): CommitResult {
    return this.c.transaction('durable', () => writeBatch(this.c, batch));
  }
  loadAlertStates(): StoredAlertState[] {
    return alerts.loadAlertStates(this.c);
  }
  listAlertStates(filter?: { status?: string; rule?: string }): StoredAlertState[] {
    return alerts.listAlertStates(this.c, filter);
  }
  getAlertStateByAlertId(alertId: string): StoredAlertState | null {
    return alerts.getAlertStateByAlertId(this.c, alertId);
  }
  listAlertHistory(query: AlertHistoryQuery): AlertHistoryEntry[] {
    return alerts.listAlertHistory(this.c, query);
  }
  getEvent(eventId: string): EventLogEntry | null {
    return alerts.getEvent(this.c, eventId);
  }
  listEvents(query: EventLogQuery): EventLogEntry[] {
    return alerts.listEvents(this.c, query);
  }

  // Outbox

  claimDue(now: EpochMs, limit: number, leaseMs: number, options?: ClaimOptions): OutboxRow[] {
    return outbox.claimDue(this.c, now, limit, leaseMs, options);
  }
  settle(outcomes: DeliveryOutcome[], follow?: SettleFollow): boolean[] {
    return outbox.settle(this.c, outcomes, follow);
  }
  releaseOrphanedClaims(now: EpochMs): number {
    return outbox.releaseOrphanedClaims(this.c, now);
  }
  markDelivered(id: number, at: EpochMs, attemptLog?: DeliveryAttemptInput): boolean {
    return this.settleOne({ id, at, outcome: 'delivered', ...(attemptLog === undefined ? {} : { log: attemptLog }) });
  }
  reschedule(id: number, nextAttemptAt: EpochMs, error: string, at: EpochMs, attemptLog?: DeliveryAttemptInput): boolean {
    return this.settleOne({ id, at, outcome: 'retry', nextAttemptAt, error, ...(attemptLog === undefined ? {} : { log: attemptLog }) });
  }
  markFailed(id: number, status: FinalFailureStatus, error: string, at: EpochMs, attemptLog?: DeliveryAttemptInput): boolean {
    return this.settleOne({ id, at, outcome: status, error, ...(attemptLog === undefined ? {} : { log: attemptLog }) });
  }
  private settleOne(outcome: DeliveryOutcome): boolean {
    return outbox.settle(this.c, [outcome])[0] ?? false;
  }
  retryDelivery(id: number, at: EpochMs, also?: CommitBatch): OutboxRow | null {
    return this.withAlso(also, () => outbox.retryDelivery(this.c, id, at), (row) => row !== null);
  }
  outboxDepth(webhook?: string): number {
    return outbox.outboxDepth(this.c, webhook);
  }
  outboxDepths(): OutboxDepth[] {
    return outbox.outboxDepths(this.c);
  }
  outboxUsage(): OutboxUsage[] {
    return outboxUsage(this.c);
  }
  dropOldestPending(webhook: string, count: number, at: EpochMs): OutboxRow[] {
    return this.c.transaction('relaxed', () => outbox.dropOldestPending(this.c, webhook, count, at));
  }
  nextDueAt(options?: ClaimOptions): EpochMs | null {
    return outbox.nextDueAt(this.c, options);
  }
  getOutboxRow(id: number): OutboxRow | null {
    return outbox.getOutboxRow(this.c, id);
  }
  listOutbox(query: OutboxQuery): OutboxRow[] {
    return outbox.listOutbox(this.c, query);
  }

  // Delivery log and counters

  recordAttempt(attempt: DeliveryAttemptInput): DeliveryAttempt {
    return this.c.transaction('relaxed', () => log.insertAttempt(this.c, attempt));
  }
  listDeliveryAttempts(query: DeliveryAttemptQuery): DeliveryAttempt[] {
    return log.listDeliveryAttempts(this.c, query);
  }
  recordOutcome(webhook: string, at: EpochMs, ok: boolean): void {
    this.c.transaction('relaxed', () => log.countOutcome(this.c, webhook, at, ok));
  }
  webhookStats(webhook: string, sinceMs: EpochMs): WebhookStats {
    return log.webhookStats(this.c, webhook, sinceMs);
  }
  webhookTotals(): WebhookTotals[] {
    return log.webhookTotals(this.c);
  }

  // Config objects

  listConfigObjects(kind: ConfigKind): ConfigObject[] {
    return config.listConfigObjects(this.c, kind);
  }
  getConfigObject(kind: ConfigKind, name: string): ConfigObject | null {
    return config.getConfigObject(this.c, kind, name);
  }
  putConfigObject(put: ConfigPut, also?: CommitBatch): { created: boolean; object: ConfigObject } {
    return this.withAlso(also, () => config.putConfigObject(this.c, put), () => true);
  }
  deleteConfigObjects(kind: ConfigKind, names: string[], also?: CommitBatch): string[] {
    return this.withAlso(also, () => config.deleteConfigObjects(this.c, kind, names), (gone) => gone.length > 0);
  }

  // Access

  createToken(token: ApiTokenInput, also?: CommitBatch): ApiToken {
    return this.withAlso(also, () => access.createToken(this.c, token), () => true);
  }
  findActiveToken(tokenHash: string): ApiToken | null {
    return access.findActiveToken(this.c, tokenHash);
  }
  getToken(id: string): ApiToken | null {
    return access.getToken(this.c, id);
  }
  listTokens(): ApiToken[] {
    return access.listTokens(this.c);
  }
  touchToken(id: string, at: EpochMs): void {
    this.c.transaction('relaxed', () => access.touchToken(this.c, id, at));
  }
  revokeToken(id: string, at: EpochMs, also?: CommitBatch): boolean {
    return this.withAlso(also, () => access.revokeToken(this.c, id, at), (revoked) => revoked);
  }
  appendAudit(entry: AuditInput): AuditEntry {
    return this.c.transaction('durable', () => access.insertAudit(this.c, entry));
  }
  listAudit(query: AuditQuery): AuditEntry[] {
    return access.listAudit(this.c, query);
  }

  // Silences and acknowledgements

  putSilence(silence: SilenceInput, also?: CommitBatch): Silence {
    return this.withAlso(also, () => silences.putSilence(this.c, silence), () => true);
  }
  getSilence(id: string): Silence | null {
    return silences.getSilence(this.c, id);
  }
  listSilences(query?: SilenceQuery): Silence[] {
    return silences.listSilences(this.c, query);
  }
  deleteSilences(ids: string[], also?: CommitBatch): string[] {
    return this.withAlso(also, () => silences.deleteSilences(this.c, ids), (gone) => gone.length > 0);
  }
  acknowledge(ack: AcknowledgementInput, also?: CommitBatch): Acknowledgement {
    return this.withAlso(also, () => silences.insertAcknowledgement(this.c, ack), () => true);
  }
  listAcknowledgements(alertId: string): Acknowledgement[] {
    return silences.listAcknowledgements(this.c, alertId);
  }

  // Catalog and snapshots

  upsertEntities(entities: Entity[], at: EpochMs): void {
    this.c.transaction('durable', () => catalog.upsertEntities(this.c, entities, at));
  }
  getEntity(name: string): StoredEntity | null {
    return catalog.getEntity(this.c, name);
  }
  listEntities(): StoredEntity[] {
    return catalog.listEntities(this.c);
  }
  deleteEntities(names: string[]): string[] {
    return this.c.transaction('durable', () => catalog.deleteEntities(this.c, names));
  }
  upsertMetrics(metrics: MetricMetadata[], at: EpochMs): void {
    this.c.transaction('durable', () => catalog.upsertMetrics(this.c, metrics, at));
  }
  getMetric(name: string): StoredMetricMetadata | null {
    return catalog.getMetric(this.c, name);
  }
  listMetrics(): StoredMetricMetadata[] {
    return catalog.listMetrics(this.c);
  }
  saveWindowSnapshots(snapshots: Array<AlertKey & { data: unknown }>, at: EpochMs, options?: { replaceAll?: boolean }): void {
    this.c.transaction('durable', () => catalog.saveWindowSnapshots(this.c, snapshots, at, options?.replaceAll ?? false));
  }
  loadWindowSnapshots(): WindowSnapshot[] {
    return catalog.loadWindowSnapshots(this.c);
  }
  deleteWindowSnapshots(keys: AlertKey[]): void {
    this.c.transaction('durable', () => catalog.deleteWindowSnapshots(this.c, keys));
  }

  prune(cutoffs: PruneCutoffs): PruneCounts {
    return prune(this.c, cutoffs);
  }
}
