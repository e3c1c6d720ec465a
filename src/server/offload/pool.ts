/**
 * One worker thread for the requests that compile or render text a caller sends (template
 * previews of unsaved text, `POST /api/v1/rules/check`), so none of them blocks the event loop
 * that answers /healthz, ingestion and every other request (issue 14: a viewer's preview stalled
 * the server for 4 s). Jobs run one at a time, each with a time limit: a job over it has its
 * thread terminated (the next job starts a fresh one) and its caller gets OffloadError 'timeout'.
 * A bounded queue keeps a flood of previews from piling up ('busy').
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OffloadJob, OffloadReply } from './worker.js';

export const DEFAULT_OFFLOAD_TIMEOUT_MS = 10_000;
export const OFFLOAD_TIMEOUT_VARIABLE = 'TOCSIN_PREVIEW_TIMEOUT_MS';
/** Jobs waiting behind the running one; more are refused (503) until the queue drains. */
export const OFFLOAD_QUEUE_LIMIT = 16;

export type OffloadFailure = 'timeout' | 'busy' | 'crashed';

export class OffloadError extends Error {
  readonly reason: OffloadFailure;
  readonly timeoutMs: number;
  constructor(reason: OffloadFailure, message: string, timeoutMs: number) {
    super(message);
    this.name = 'OffloadError';
    this.reason = reason;
    this.timeoutMs = timeoutMs;
  }
}

/** What a job's thread answered: its result, or an API error it raised (4xx with what/where/how). */
export type JobAnswer = Extract<OffloadReply, { ok: true }> | Extract<OffloadReply, { ok: false }>;

/**
 * The thread's entry. Built code runs dist/…/worker.js; from sources (tests run TypeScript) it is
 * worker.ts, loaded by Node's type stripping with `.js` imports resolved to the `.ts` beside them.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
if (workerData.entry.endsWith('.ts')) {
  require('node:module').registerHooks({
    resolve(specifier, context, next) {
      try {
        return next(specifier, context);
      } catch (error) {
        const fromTs = context.parentURL && context.parentURL.endsWith('.ts');
        if (fromTs && specifier.startsWith('.') && specifier.endsWith('.js')) {
          return next(specifier.slice(0, -3) + '.ts', context);
        }
        throw error;
      }
    },
  });
}
import(workerData.entry);
`;

function workerEntry(): string {
  const js = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(js)) ? js.href : new URL('./worker.ts', import.meta.url).href;
}

/** The time limit of an offloaded job from the environment, or what is wrong with its value. */
export function offloadTimeoutFromEnv(
  env: NodeJS.ProcessEnv,
): { ok: true; timeoutMs: number } | { ok: false; error: string } {
  const text = env[OFFLOAD_TIMEOUT_VARIABLE];
  if (text === undefined || text.trim() === '') return { ok: true, timeoutMs: DEFAULT_OFFLOAD_TIMEOUT_MS };
  const value = Number(text);
  if (Number.isSafeInteger(value) && value >= 1) return { ok: true, timeoutMs: value };
  const error = `${OFFLOAD_TIMEOUT_VARIABLE} must be a whole number of milliseconds of at least 1, got '${text}'`;
  return { ok: false, error: `${error} (default ${DEFAULT_OFFLOAD_TIMEOUT_MS})` };
}

interface Pending {
  id: number;
  job: OffloadJob;
  timeoutMs: number;
  resolve: (answer: JobAnswer) => void;
  reject: (error: Error) => void;
}

export class OffloadThread {
  private worker: Worker | null = null;
  private ready = false;
  private running: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    this.timeoutMs = timeoutMs;
  }

  run(job: OffloadJob, timeoutMs = this.timeoutMs): Promise<JobAnswer> {
    if (this.queue.length >= OFFLOAD_QUEUE_LIMIT) {
      const waiting = `${OFFLOAD_QUEUE_LIMIT} previews and checks are already waiting`;
      return Promise.reject(new OffloadError('busy', waiting, timeoutMs));
    }
    return new Promise<JobAnswer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, timeoutMs, resolve, reject });
      this.pump();
    });
  }

  /** Ends the thread (jobs waiting are refused). */
  async close(): Promise<void> {
    const stopping = new OffloadError('crashed', 'the server is stopping', this.timeoutMs);
    for (const pending of this.queue.splice(0)) pending.reject(stopping);
    const worker = this.worker;
    this.discard();
    if (worker !== null) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: { entry: workerEntry(), tocsinOffload: true },
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    // An idle thread must not keep the process alive.
    worker.unref();
    worker.on('message', (message: OffloadReply | { ready: true }) => {
      if ('ready' in message) {
        this.ready = true;
        this.pump();
        return;
      }
      const running = this.running;
      if (running === null || running.id !== message.id) return;
      this.finish();
      running.resolve(message);
      this.pump();
    });
    const lost = (why: string) => {
      if (this.worker !== worker) return;
      const running = this.running;
      const starting = !this.ready;
      this.discard();
      running?.reject(new OffloadError('crashed', why, this.timeoutMs));
      // A thread that cannot even start would be restarted for ever: refuse what waits instead.
      if (starting) {
        for (const pending of this.queue.splice(0)) pending.reject(new OffloadError('crashed', why, this.timeoutMs));
      }
      this.pump();
    };
    worker.on('error', (error) => lost(`the worker thread failed: ${error.message}`));
    worker.on('exit', (code) => lost(`the worker thread exited (code ${code})`));
    return worker;
  }

  private pump(): void {
    if (this.running !== null || this.queue.length === 0) return;
    if (this.worker === null) this.worker = this.start();
    // Startup (loading the compiler) is not part of any job's time.
    if (!this.ready) return;
    const next = this.queue.shift()!;
    this.running = next;
    this.timer = setTimeout(() => {
      const worker = this.worker;
      this.discard();
      void worker?.terminate();
      next.reject(new OffloadError('timeout', `it took longer than ${next.timeoutMs} ms`, next.timeoutMs));
      this.pump();
    }, next.timeoutMs);
    this.timer.unref();
    this.worker.postMessage({ id: next.id, job: next.job });
  }

  private finish(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.running = null;
  }

  private discard(): void {
    this.finish();
    this.worker = null;
    this.ready = false;
  }
}

let shared: OffloadThread | null = null;

/** The process's offload thread, started on first use. */
export function offloadThread(): OffloadThread {
  if (shared === null) {
    const timeout = offloadTimeoutFromEnv(process.env);
    // `tocsin` refuses to start with a bad value (cli/main.ts); a library user gets the default.
    shared = new OffloadThread(timeout.ok ? timeout.timeoutMs : DEFAULT_OFFLOAD_TIMEOUT_MS);
  }
  return shared;
}
