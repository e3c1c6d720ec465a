/**
 * The outbox worker (SPEC §6): claims due notifications, renders, sends, and settles each one as
 * delivered, rescheduled (retry.ts decides when) or failed — then emits delivery.failed.
 *
 * Invariants:
 * - Order per series: the claim never hands out a row while an earlier row of its (webhook, ordering
 *   key = rule + series key) is unfinished, and the worker keeps it so: jobs are started in claim
 *   order, a job waits while another job with one of its keys is in flight, and if that one is
 *   rescheduled, the waiting rows of the same key are released to the same retry time instead of
 *   overtaking it.
 * - Fair and bounded: each webhook has its own budget of claimed rows, about what it can send soon
 *   (`claimAhead` requests per concurrency slot, at most `maxHeldRows`), and is claimed for on its
 *   own: a receiver that hangs fills its own budget, never another webhook's.
 * - A settlement carries its claim's fence; `attempts` grows only for requests actually sent; the
 *   delivery.failed a settlement causes travels with it (one transaction where the port allows).
 * - Time comes from the injected clock; jitter from the injected random.
 */
import { attemptSummary, type AttemptResult } from './attempt.js';
import { composeBatch, composeSingle, renderNotification, type ComposedBody } from './compose.js';
import { sendComposed } from './deliver.js';
import { describeError, type DeliveryErrorInfo } from './errors.js';
import { deliveryFailedEvent } from './failed-event.js';
import type { TocsinEvent } from '../model/event.js';
import {
  silentLogger,
  systemClock,
  type AttemptLog,
  type ClaimedRow,
  type Clock,
  type EventSink,
  type Logger,
  type OutboxPort,
  type RenderedBody,
  type Renderer,
  type Settlement,
  type WebhookDirectory,
} from './ports.js';
import { retryDecision } from './retry.js';
import { createSecretResolver, type SecretResolver } from './secrets.js';
import type { Sender } from './sender.js';
import type { Webhook } from './webhook.js';
import { keyOf, WebhookQueue, type Job } from './webhook-queue.js';

export interface WorkerDeps {
  outbox: OutboxPort;
  webhooks: WebhookDirectory;
  renderer: Renderer;
  sender: Sender;
  events?: EventSink;
  clock?: Clock;
  random?: () => number;
  secrets?: SecretResolver;
  log?: Logger;
}

export interface WorkerOptions {
  /** Longest sleep between claims when nothing wakes the worker earlier. */
  pollIntervalMs?: number;
  /** Claimed rows one webhook holds in memory at most (queued, batching or in flight). */
  maxHeldRows?: number;
  /**
   * Requests' worth of rows claimed ahead per concurrency slot of a webhook (a batch counts as one
   * request of up to `maxBatchEvents` rows): its budget of claimed rows, capped by `maxHeldRows`.
   */
  claimAhead?: number;
  /** Lease of a claim; must outlast the queueing and the longest timeout, or another claim re-takes the row. */
  leaseMs?: number;
  /** Events in one batch body at most. */
  maxBatchEvents?: number;
}

function attemptLog(row: ClaimedRow, result: AttemptResult): AttemptLog {
  return {
    outboxId: row.id,
    eventId: row.event.id,
    webhook: result.webhook,
    time: result.time,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    responseHeaders: result.responseHeaders,
    responseBody: result.responseBody,
    error: result.error === null ? null : `${result.error.code}: ${result.error.message}`,
    ok: result.ok,
  };
}

export class DeliveryWorker {
  readonly #deps: Required<Omit<WorkerDeps, 'events'>> & { events: EventSink | undefined };
  readonly #pollIntervalMs: number;
  readonly #maxHeldRows: number;
  readonly #claimAhead: number;
  readonly #leaseMs: number;
  readonly #maxBatchEvents: number;

  readonly #queues = new Map<string, WebhookQueue>();
  /** Every claimed row not yet settled, by id. */
  readonly #held = new Map<number, ClaimedRow>();
  /** How many of them each webhook holds. */
  readonly #heldBy = new Map<string, number>();
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #orphansReleased = false;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #stopping = false;
  #loop: Promise<void> | null = null;
  #wakeUp: (() => void) | null = null;
  #woken = false;

  constructor(deps: WorkerDeps, options: WorkerOptions = {}) {
    this.#deps = {
      ...deps,
      events: deps.events,
      clock: deps.clock ?? systemClock,
      random: deps.random ?? Math.random,
      secrets: deps.secrets ?? createSecretResolver(),
      log: deps.log ?? silentLogger,
    };
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.#maxHeldRows = options.maxHeldRows ?? 256;
    this.#claimAhead = options.claimAhead ?? 8;
    this.#leaseMs = options.leaseMs ?? 5 * 60_000;
    this.#maxBatchEvents = options.maxBatchEvents ?? 100;
  }

  /** Runs the loop in the background until stop(). */
  start(): void {
    if (this.#loop !== null) return;
    this.#running = true;
    this.#stopping = false;
    this.#loop = this.#run();
  }

  /** Something new may be due (an enqueue, a manual retry): claim now instead of at the next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /**
   * Stops claiming, hands queued and batching rows back to the outbox (due now, for the next
   * start), and waits for the requests in flight to finish and be settled.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.wake();
    await this.#loop;
    this.#loop = null;
    const unsent = [...this.#queues.values()].flatMap((queue) => queue.takeAll());
    await this.#release(unsent, this.#deps.clock.now(), 'released unsent: delivery worker stopping');
    await this.#settled();
  }

  /** One claim and everything it started, to completion. For tests and one-shot tools. */
  async runOnce(): Promise<void> {
    await this.#fill();
    await this.#settled();
  }

  async #run(): Promise<void> {
    if (!this.#orphansReleased && this.#deps.outbox.releaseOrphanedClaims !== undefined) {
      try {
        const released = await this.#deps.outbox.releaseOrphanedClaims(this.#deps.clock.now());
        this.#orphansReleased = true;
        if (released > 0) {
          const message = 'delivery worker: notifications left in flight by a stopped process are due again';
          this.#deps.log.warn({ released }, message);
        }
      } catch (error) {
        const message = 'delivery worker: releasing the claims of a stopped process failed; they wait for their lease';
        this.#deps.log.error({ err: error }, message);
      }
    }
    while (this.#running) {
      try {
        await this.#fill();
      } catch (error) {
        this.#deps.log.error({ err: error }, 'delivery worker: claiming from the outbox failed');
      }
      if (!this.#running) break;
      await this.#sleep(await this.#nextWakeDelay());
    }
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wakeUp = null;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakeUp = done;
    });
  }

  async #nextWakeDelay(): Promise<number> {
    const now = this.#deps.clock.now();
    let delay = this.#pollIntervalMs;
    for (const queue of this.#queues.values()) {
      const due = queue.batchDueAt;
      if (due !== null) delay = Math.min(delay, due - now);
    }
    if (this.#claimBudgets(now).wanted && this.#deps.outbox.nextDueAt !== undefined) {
      const due = await this.#deps.outbox.nextDueAt();
      // A due time in the past means rows wait behind others; a completion wakes us for those.
      if (due !== null && due > now) delay = Math.min(delay, due - now);
    }
    return Math.max(0, delay);
  }

  async #settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #queue(name: string): WebhookQueue {
    let queue = this.#queues.get(name);
    if (queue === undefined) {
      queue = new WebhookQueue();
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** A webhook's budget of claimed rows: what it can send soon, within its concurrency. */
  #budgetOf(webhook: Webhook | undefined): number {
    if (webhook === undefined || !webhook.enabled) return this.#defaultBudget;
    const perRequest = webhook.timing.batchMs > 0 ? this.#maxBatchEvents : 1;
    return Math.max(1, Math.min(this.#maxHeldRows, this.#claimAhead * webhook.concurrency * perRequest));
  }

  /**
   * Per webhook, how many rows to claim now: a webhook claims once it holds half its budget or
   * less, up to the full budget — in chunks, since a claim per finished request cost a SQLite
   * transaction per notification and capped delivery far below the HTTP rate (bench/delivery.js).
   * `wanted`: some webhook is at or below that mark.
   */
  #claimBudgets(now: number): { budgets: Record<string, number>; total: number; wanted: boolean } {
    const names = new Set<string>(this.#deps.webhooks.names?.() ?? []);
    for (const name of this.#queues.keys()) names.add(name);
    const budgets: Record<string, number> = {};
    let total = 0;
    let wanted = false;
    for (const name of names) {
      const budget = this.#budgetOf(this.#deps.webhooks.get(name));
      const held = this.#heldBy.get(name) ?? 0;
      const room = held <= Math.floor(budget / 2) ? budget - held : 0;
      budgets[name] = room;
      total += room;
      if (room > 0 && this.#deps.webhooks.get(name) !== undefined) wanted = true;
    }
    // Webhooks nobody named (removed since their rows were queued) are claimed on the poll as well.
    if (now - this.#lastClaimAt >= this.#pollIntervalMs) wanted = true;
    return { budgets, total: total + this.#defaultBudget, wanted };
  }

  /** For webhooks the directory does not name: their rows are failed at once, so a modest chunk. */
  get #defaultBudget(): number {
    return Math.min(this.#maxHeldRows, this.#claimAhead * 16);
  }

  async #fill(): Promise<void> {
    const now = this.#deps.clock.now();
    const plan = this.#claimBudgets(now);
    if (plan.wanted && !this.#stopping) {
      this.#lastClaimAt = now;
      const budgets = { budgets: plan.budgets, defaultBudget: this.#defaultBudget };
      const rows = await this.#deps.outbox.claimDue(now, plan.total, this.#leaseMs, budgets);
      for (const row of rows) await this.#route(row, now);
    }
    this.#flushBatches(this.#deps.clock.now());
    this.#pump();
  }

  #hold(row: ClaimedRow): void {
    this.#held.set(row.id, row);
    this.#heldBy.set(row.webhook, (this.#heldBy.get(row.webhook) ?? 0) + 1);
  }

  /** Forgets a held row, unless the id is held now by a newer claim (a retry claimed again). */
  #unhold(row: ClaimedRow): void {
    if (this.#held.get(row.id) !== row) return;
    this.#held.delete(row.id);
    const left = (this.#heldBy.get(row.webhook) ?? 1) - 1;
    if (left > 0) this.#heldBy.set(row.webhook, left);
    else this.#heldBy.delete(row.webhook);
  }

  async #route(row: ClaimedRow, now: number): Promise<void> {
    const known = this.#held.get(row.id);
    if (known !== undefined) {
      // Our lease ran out while the row waited here and the claim handed it out again: keep one
      // copy, with the new fencing token, so its settlement still applies.
      known.fence = row.fence;
      return;
    }
    const webhook = this.#usable(row.webhook);
    if (typeof webhook === 'string') {
      await this.#settle([{ id: row.id, at: now, fence: row.fence, outcome: 'failed', error: webhook }]);
      return;
    }
    this.#hold(row);
    this.#queue(row.webhook).add(row, now, webhook.timing.batchMs, this.#maxBatchEvents);
  }

  /**
   * The webhook, or why its notifications cannot be sent. A removed or disabled webhook fails
   * them without delivery.failed: an admin chose this, nothing is broken.
   */
  #usable(name: string): Webhook | string {
    const webhook = this.#deps.webhooks.get(name);
    if (webhook === undefined) return `webhook '${name}' no longer exists`;
    return webhook.enabled ? webhook : `webhook '${name}' is disabled`;
  }

  #flushBatches(now: number): void {
    for (const queue of this.#queues.values()) queue.flushIfDue(now);
  }

  /** Starts every job that may start: in claim order, within the webhook's concurrency, keys free. */
  #pump(): void {
    if (this.#stopping) return;
    for (const [name, queue] of this.#queues) {
      const concurrency = this.#deps.webhooks.get(name)?.concurrency ?? 1;
      for (const job of queue.startable(concurrency)) this.#start(name, queue, job);
    }
  }

  #start(name: string, queue: WebhookQueue, job: Job): void {
    let slotFree = false;
    // Frees the request slot as soon as the request is over, before the outcome is stored.
    const freeSlot = (): void => {
      if (slotFree) return;
      slotFree = true;
      queue.sent(job);
      this.#pump();
    };
    const task: Promise<void> = this.#deliver(name, job, freeSlot)
      .catch((error: unknown) => this.#deps.log.error({ err: error, webhook: name }, 'delivery worker: a delivery failed unexpectedly'))
      .then(() => {
        freeSlot();
        queue.settled(job);
        for (const row of job.rows) this.#unhold(row);
        this.#inFlight.delete(task);
        this.#pump();
        this.wake();
      });
    this.#inFlight.add(task);
  }

  async #deliver(name: string, job: Job, requestOver: () => void): Promise<void> {
    // The configuration may have changed since the claim (reload, API edit).
    const webhook = this.#usable(name);
    if (typeof webhook === 'string') {
      const at = this.#deps.clock.now();
      await this.#settle(
        job.rows.map((row) => ({ id: row.id, at, fence: row.fence, outcome: 'failed', error: webhook })),
      );
      return;
    }
    const rendered: Array<{ row: ClaimedRow; body: RenderedBody }> = [];
    for (const row of job.rows) {
      try {
        rendered.push({ row, body: renderNotification(webhook, row, this.#deps.renderer) });
      } catch (error) {
        await this.#reject(webhook, [row], describeError(error));
      }
    }
    const [first] = rendered;
    if (first === undefined) return;
    const rows = rendered.map((part) => part.row);
    let composed: ComposedBody;
    try {
      composed =
        webhook.timing.batchMs > 0
          ? composeBatch(rows.map((row) => row.event), rendered.map((part) => part.body))
          : composeSingle(webhook, first.row.event, first.body, this.#deps.renderer);
    } catch (error) {
      await this.#reject(webhook, rows, describeError(error));
      return;
    }
    const result = await sendComposed(webhook, composed, this.#deps);
    requestOver();
    await this.#conclude(webhook, rows, result);
  }

  /** Settles every row of one attempt: delivered, or each on its own retry decision. */
  async #conclude(webhook: Webhook, rows: ClaimedRow[], result: AttemptResult): Promise<void> {
    const at = this.#deps.clock.now();
    if (result.ok) {
      await this.#settle(
        rows.map((row) => ({
          id: row.id, at, fence: row.fence, sent: true, outcome: 'delivered', log: attemptLog(row, result),
        })),
      );
      return;
    }
    const summary = attemptSummary(result);
    const settlements: Settlement[] = [];
    const retries: Array<{ row: ClaimedRow; retryAt: number }> = [];
    for (const row of rows) {
      // This request was the row's attempt number attempts + 1.
      const sent = row.attempts + 1;
      const decision = retryDecision(result, sent, row.queuedAt, at, webhook, this.#deps.random);
      const log = attemptLog(row, result);
      const base = { id: row.id, at, fence: row.fence, sent: true, log };
      if ('retryAt' in decision) {
        settlements.push({ ...base, outcome: 'retry', nextAttemptAt: decision.retryAt, error: summary });
        retries.push({ row, retryAt: decision.retryAt });
      } else {
        const outcome = decision.give_up === 'rejected' ? 'failed' : 'discarded';
        const failure = this.#failureEvent(webhook.name, row, at, {
          attempts: sent,
          lastStatus: result.statusCode,
          lastError: decision.reason,
          reason: decision.give_up,
        });
        settlements.push({ ...base, outcome, error: decision.reason, ...(failure === null ? {} : { failure }) });
      }
    }
    await this.#settle(settlements);
    for (const { row, retryAt } of retries) await this.#releaseFollowers(webhook.name, keyOf(row), retryAt);
  }

  /** A notification that cannot be sent at all (its template failed): failed at once, never dropped silently. */
  async #reject(webhook: Webhook, rows: ClaimedRow[], error: DeliveryErrorInfo): Promise<void> {
    const at = this.#deps.clock.now();
    const text = `${error.code}: ${error.message}`;
    await this.#settle(
      rows.map((row): Settlement => {
        const what = { attempts: row.attempts, lastStatus: null, lastError: text, reason: 'rejected' } as const;
        const failure = this.#failureEvent(webhook.name, row, at, what);
        return {
          id: row.id,
          at,
          fence: row.fence,
          outcome: 'failed',
          error: text,
          log: {
            outboxId: row.id, eventId: row.event.id, webhook: webhook.name, time: at, statusCode: null, latencyMs: 0,
            responseHeaders: null, responseBody: null, error: text, ok: false,
          },
          ...(failure === null ? {} : { failure }),
        };
      }),
    );
  }

  /** Rows of the same key still waiting here must not overtake the one that is to be retried. */
  async #releaseFollowers(name: string, key: string, retryAt: number): Promise<void> {
    const followers = this.#queues.get(name)?.takeKey(key) ?? [];
    await this.#release(followers, retryAt, 'waiting for an earlier event of the same series');
  }

  /** Hands claimed rows back unsent, due at `at`. */
  async #release(rows: ClaimedRow[], at: number, why: string): Promise<void> {
    if (rows.length === 0) return;
    for (const row of rows) this.#unhold(row);
    const now = this.#deps.clock.now();
    await this.#settle(
      rows.map((row) => ({ id: row.id, at: now, fence: row.fence, outcome: 'retry', nextAttemptAt: at, error: why })),
    );
  }

  #failureEvent(
    webhook: string,
    row: ClaimedRow,
    now: number,
    what: { attempts: number; lastStatus: number | null; lastError: string; reason: 'discarded' | 'rejected' },
  ): TocsinEvent | null {
    return deliveryFailedEvent({ webhook, event: row.event, ...what, queuedAt: row.queuedAt }, now);
  }

  /** For a port that does not store delivery.failed with the settlement: emitted after it applied. */
  async #emitFailure(settlement: Settlement): Promise<void> {
    if (settlement.failure === undefined || this.#deps.events === undefined) return;
    try {
      await this.#deps.events.emit(settlement.failure);
    } catch (error) {
      const message = 'delivery worker: emitting delivery.failed failed';
      this.#deps.log.error({ err: error, outbox_id: settlement.id }, message);
    }
  }

  async #settle(settlements: Settlement[]): Promise<void> {
    if (settlements.length === 0) return;
    // Settled rows are no longer ours from here on: once the outcome is stored, a retry may fall
    // due and be claimed again before this job has finished; that claim is a new row to route.
    for (const settlement of settlements) {
      const row = this.#held.get(settlement.id);
      if (row !== undefined) this.#unhold(row);
    }
    const applied = await this.#deps.outbox.settle(settlements);
    for (const [index, settlement] of settlements.entries()) {
      if (applied[index] === false) {
        this.#deps.log.warn({ outbox_id: settlement.id, outcome: settlement.outcome }, 'delivery worker: outcome not applied; the row was claimed again elsewhere');
      } else {
        await this.#emitFailure(settlement);
      }
    }
  }
}
