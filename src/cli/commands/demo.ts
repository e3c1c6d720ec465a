/**
 * `tocsin demo [--duration 60] [--port P]`: the whole pipeline in one command, for newcomers. It
 * starts the real server on a temporary store with a copy of the example rules, a webhook receiver
 * on 127.0.0.1 that prints what it gets, and a feed that sends one simulated hour of samples through
 * the HTTP API (line protocol and JSON) on a clock running fast enough to fit the hour into the
 * duration (60× by default), so alerts open, cancel and flap within a minute. It stops by itself, or
 * on Ctrl-C, and removes its temporary directory.
 *
 * Exit codes: 0 done (or interrupted), 1 the server did not start or no alert reached the receiver,
 * 2 usage error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { parseDuration } from '../../model/duration.js';
import { createToken, LOG_REDACT } from '../../server/access.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { simulatedClock, type SimulatedClock } from '../demo/clock.js';
import { Narrator, type Received } from '../demo/narrator.js';
import { startReceiver, type DemoReceiver } from '../demo/receiver.js';
import { prepareConfig, type DemoWebhook } from '../demo/setup.js';
import { beatAt, ENTITIES, entityRequests, feedRequests, levelsAt, STEP_MS, STORY_MINUTES, type ApiRequest } from '../demo/story.js';
import { startServer, type RunningServer } from './run.js';

export interface DemoOptions {
  /** Seconds of real time (default 60), or a duration such as `2m`. */
  duration?: string | number;
  /** Port of the demo server (default: any free port). */
  port?: string;
  /** Stops the demo early. Without it, SIGINT (Ctrl-C) and SIGTERM do. */
  signal?: AbortSignal;
  /** Where the temporary directory is made (default: the OS's). */
  tmpRoot?: string;
  /** Told about each request the receiver gets. */
  onReceived?: (received: Received) => void;
}

export const DEFAULT_DURATION_S = 60;
const MIN_DURATION_S = 3;
const MAX_DURATION_S = 3600;
const MINUTE = 60_000;
/** Real time the demo waits at the end for the last notifications to be delivered. */
const DRAIN_TIMEOUT_MS = 5_000;

/** Seconds from `--duration`: a number of seconds or a duration (`90s`, `2m`); null when neither. */
export function parseDemoDuration(value: string | number | undefined): number | null {
  if (value === undefined) return DEFAULT_DURATION_S;
  const text = String(value).trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : (parseDuration(text) ?? Number.NaN) / 1000;
  return Number.isFinite(seconds) && seconds >= MIN_DURATION_S && seconds <= MAX_DURATION_S ? seconds : null;
}

/** Resolves after `ms`, or early (false) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      resolve(completed);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}

/** Ctrl-C and SIGTERM abort the demo; the returned function removes the handlers again. */
function abortOnSignals(controller: AbortController, external: AbortSignal | undefined): () => void {
  if (external) {
    const forward = () => controller.abort();
    if (external.aborted) controller.abort();
    external.addEventListener('abort', forward, { once: true });
    return () => external.removeEventListener('abort', forward);
  }
  const handler = () => controller.abort();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

const speedText = (speed: number) => `${Number.isInteger(speed) ? speed : speed.toFixed(1)}×`;

class FeedError extends Error {}

/** Sends one request to the demo server with the ingest token; a refusal stops the demo. */
async function send(server: RunningServer, token: string, request: ApiRequest): Promise<void> {
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    headers: { authorization: `Bearer ${token}`, 'content-type': request.contentType },
    body: request.body,
  });
  if (!response.ok) throw new FeedError(`${request.method} ${request.path} answered HTTP ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
}

function newToken(server: RunningServer, role: 'ingest' | 'viewer', now: number): string {
  const created = createToken(server.runtime.store, { name: `demo-${role}`, role, actor: 'cli:demo', now });
  if (!created.ok) throw new Error(`cannot create the demo's ${role} token: ${created.error}`);
  return created.token;
}

interface Session {
  server: RunningServer;
  clock: SimulatedClock;
  /** Simulated time of the story's minute 0. */
  start: number;
  narrator: Narrator;
  ingestToken: string;
  viewerToken: string;
  signal: AbortSignal;
}

/** Registers the entities, then one batch of samples per step until the simulated hour is over. */
async function feed({ server, clock, start, narrator, ingestToken, signal }: Session): Promise<void> {
  narrator.say(start, `registering entities (PUT /api/v1/entities/:name): ${ENTITIES.map((e) => `${e.name} (${e.about})`).join(', ')}`);
  for (const request of entityRequests()) await send(server, ingestToken, request);
  for (let at = start; at < start + STORY_MINUTES * MINUTE; at += STEP_MS) {
    if (!(await sleep(clock.realDelayUntil(at), signal))) return;
    const minute = (at - start) / MINUTE;
    const beat = beatAt(minute);
    if (beat?.says) narrator.say(at, `sending: ${beat.says}`);
    for (const request of feedRequests(levelsAt(minute), at)) await send(server, ingestToken, request);
    narrator.poll();
  }
  await sleep(clock.realDelayUntil(start + STORY_MINUTES * MINUTE), signal);
}

/** Waits (real time) until nothing is left in the outbox, so the last notifications are seen. */
async function drain(server: RunningServer, narrator: Narrator, signal: AbortSignal): Promise<void> {
  const until = Date.now() + DRAIN_TIMEOUT_MS;
  while (server.runtime.store.outboxDepth() > 0 && Date.now() < until) {
    if (!(await sleep(25, signal))) return;
  }
  narrator.poll();
}

/** Asks the API to explain the first alert that opened, as an operator would. */
async function explainFirstAlert({ server, narrator, viewerToken }: Session, print: (line: string) => void): Promise<void> {
  const open = [...narrator.announced.values()].find((event) => event.type === 'alert.open');
  const alertId = (open?.data as { alert_id?: string } | undefined)?.alert_id;
  if (!alertId) return;
  const response = await fetch(`${server.url}/api/v1/alerts/${alertId}`, { headers: { authorization: `Bearer ${viewerToken}` } });
  if (!response.ok) return;
  const explained = (await response.json()) as { summary?: unknown };
  if (!Array.isArray(explained.summary)) return;
  print(`\nWhat tocsin recorded about the first alert (GET /api/v1/alerts/${alertId}):`);
  for (const line of explained.summary) print(`  ${String(line)}`);
}

function printIntroduction(session: Session, webhooks: readonly DemoWebhook[], receiver: DemoReceiver, dir: string, durationS: number, print: (line: string) => void): void {
  const { server, clock, viewerToken } = session;
  const rules = server.runtime.configuration.rules.map((rule) => rule.name).join(', ');
  const minuteEvery = 60 / clock.speed;
  print(`tocsin demo: samples in, alerts out, in ${durationS} seconds (Ctrl-C stops it earlier)`);
  print('');
  print(`  tocsin     ${server.url}, rules ${rules}`);
  print(`             (a copy of rules/ in ${dir}, removed at the end)`);
  for (const webhook of webhooks) {
    print(`  webhook    ${webhook.name} → ${receiver.url}${webhook.path} (template ${webhook.template}, signed ${webhook.signature})`);
  }
  print(`  clock      simulated, ${speedText(clock.speed)} real time: a minute passes every ${Number(minuteEvery.toFixed(2))} s, so 'for: 2m' takes ${Number((2 * minuteEvery).toFixed(2))} s`);
  print(`  feed       a batch every ${STEP_MS / 1000} simulated seconds: line protocol to POST /api/v1/write, JSON to POST /api/v1/samples`);
  print(`  look       curl -H 'Authorization: Bearer ${viewerToken}' ${server.url}/api/v1/alerts   (a read-only token)`);
  print('');
}

export async function runDemo(options: DemoOptions, out: Output): Promise<number> {
  const durationS = parseDemoDuration(options.duration);
  if (durationS === null) {
    out.stderr(`error: --duration must be a number of seconds from ${MIN_DURATION_S} to ${MAX_DURATION_S} (or a duration such as 2m), got '${String(options.duration)}'\n  hint: tocsin demo --duration 60\n`);
    return EXIT_USAGE;
  }
  const print = (line: string) => out.stdout(`${line}\n`);
  const controller = new AbortController();
  const release = abortOnSignals(controller, options.signal);
  const dir = mkdtempSync(join(options.tmpRoot ?? tmpdir(), 'tocsin-demo-'));
  let receiver: DemoReceiver | null = null;
  let server: RunningServer | null = null;
  let poller: NodeJS.Timeout | null = null;
  try {
    let narrator: Narrator | null = null;
    receiver = await startReceiver((request) => {
      const received = narrator?.receive(request);
      if (received) options.onReceived?.(received);
    });
    const webhooks = prepareConfig(join(dir, 'rules'), receiver.url);
    // The story's hour is squeezed into the duration.
    const clock = simulatedClock(Date.now(), (STORY_MINUTES * MINUTE) / (durationS * 1000));
    const log = pino({ level: process.env.TOCSIN_LOG_LEVEL ?? 'warn', redact: LOG_REDACT }, { write: (line: string) => out.stderr(line) });
    const started = await startServer({
      config: join(dir, 'rules'), data: join(dir, 'tocsin.db'), host: '127.0.0.1', port: options.port ?? '0', log, now: clock.now,
      // Engine timers (for, keep_firing_for, no_data) are checked every ~10 simulated seconds.
      tickIntervalMs: Math.min(1_000, Math.max(10, Math.round(10_000 / clock.speed))),
    }, out);
    if (typeof started === 'number') return started;
    server = started;
    // The story starts at the next whole simulated minute after the start-up, so it is not rushed
    // to catch up with the time the server took to start, and the printed times are round.
    const start = Math.ceil(clock.now() / MINUTE) * MINUTE;
    narrator = new Narrator({ store: server.runtime.store, webhooks, start, print });
    const session: Session = {
      server, clock, start, narrator, signal: controller.signal,
      ingestToken: newToken(server, 'ingest', clock.now()),
      viewerToken: newToken(server, 'viewer', clock.now()),
    };
    printIntroduction(session, webhooks, receiver, dir, durationS, print);
    const watching = narrator;
    poller = setInterval(() => watching.poll(), 50);
    try {
      await feed(session);
    } catch (error) {
      if (!(error instanceof FeedError)) throw error;
      out.stderr(`error: the demo feed was refused: ${error.message}\n`);
      return EXIT_FINDINGS;
    }
    if (controller.signal.aborted) {
      print('\ninterrupted: stopping');
      return EXIT_OK;
    }
    await drain(server, narrator, controller.signal);
    print(`${'\n'}${STORY_MINUTES}:00  the simulated hour is over`);
    await explainFirstAlert(session, print);
    const types = new Set(narrator.received.map((r) => r.eventType));
    const invalid = narrator.received.filter((r) => !r.signatureValid).length;
    print(`\ndone: ${narrator.announced.size} events, ${narrator.received.length} requests to the receiver (${invalid === 0 ? 'every signature valid' : `${invalid} with an invalid signature`}), ${narrator.delivered} delivered, ${narrator.failed} failed attempts`);
    if (!types.has('alert.open') || !types.has('alert.cancel')) {
      out.stderr('error: no alert.open and alert.cancel reached the receiver, so something in the pipeline is broken\n  hint: run again with TOCSIN_LOG_LEVEL=info to see the server log\n');
      return EXIT_FINDINGS;
    }
    print('next: docs/rules.md to write your own rules, docs/operations.md to run tocsin for real (tocsin run)');
    return EXIT_OK;
  } finally {
    if (poller) clearInterval(poller);
    await server?.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
    release();
    print(`stopped: server and receiver closed, ${dir} removed`);
  }
}

/** `tocsin demo`, for the program in ../main.ts. */
export function addDemoCommand(program: Command, out: Output, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('see the whole pipeline in a minute: the server, a local webhook receiver and a sample feed, on a temporary store')
    .option('--duration <seconds>', `how long the demo runs, in seconds (${MIN_DURATION_S}–${MAX_DURATION_S}); one simulated hour is squeezed into it`, String(DEFAULT_DURATION_S))
    .option('--port <port>', 'port of the demo server on 127.0.0.1 (default: any free port)')
    .action(async (options: { duration?: string; port?: string }) => {
      setExit(await runDemo(options, out));
    });
}
