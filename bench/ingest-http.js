/**
 * Ingestion over HTTP (issue 7): samples per second end to end, from Influx line protocol POSTed by
 * several keep-alive clients to the rules evaluating them and their alert states committed.
 *
 * The server is the real one (`startServer` of `tocsin run`) in this process, with a temp config
 * directory of two rules on the metrics sent, a temp SQLite file and a silent logger; an ingest
 * token is created in its store. The clients run in a child process (bench/ingest-http/clients.js)
 * so that building bodies never competes with the server for its core: on a 2-core machine the
 * server gets one core and the clients the other, as when Telegraf runs on other hosts.
 *
 * Workload: 4 clients, each a Telegraf agent for 5,000 hosts, POSTing one interval of them per
 * request: 5,000 lines `cpu,cpu=cpu-total,host=hN usage_idle=…,usage_user=… <ns>` (10,000 samples),
 * time advancing 10 s of data time per batch. Rules: `cpu.usage_user > 90` (length(1); excursions
 * above 90 open and cancel alerts now and then) and `avg() < 2` over time(5 minute) on
 * cpu.usage_idle (evaluated on every sample; the data never makes it true). No webhooks: delivery has
 * its own bench.
 *
 * Timing: a warm-up, then consecutive windows; a window's rate is the samples of the requests
 * answered 204 in it; the median window is reported, with the server's CPU use over the same time.
 * Cross-check: every request answered 204; the engine saw exactly the samples sent and evaluated
 * each once; it emitted exactly the alert.open and alert.cancel events the clients' model expects.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startServer } from '../dist/cli/commands/run.js';
import { createToken } from '../dist/server/access.js';
import { formatRate } from './lib/format.js';
import { median } from './lib/measure.js';

export const title = 'Ingestion over HTTP';

const TARGETS = { samplesPerSecond: 250_000 };
const CLIENTS = 4;
const HOSTS_PER_CLIENT = 5_000;
const SEED = 20260407;

const RULES = `rules:
  - name: cpu-user-high
    metric: cpu.usage_user
    filter: tags.cpu == 'cpu-total'
    window: length(1)
    condition: value > 90
    severity: warning
  - name: cpu-idle-exhausted
    metric: cpu.usage_idle
    filter: tags.cpu == 'cpu-total'
    window: time(5 minute)
    condition: avg() < 2
    severity: major
`;

const CLIENTS_SCRIPT = fileURLToPath(new URL('./ingest-http/clients.js', import.meta.url));

function runClients(options, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = fork(CLIENTS_SCRIPT, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result = null;
    // Everything stops by itself: a client that hangs is killed and the bench fails.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the clients did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (message) => (result = message));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result?.error) reject(new Error(`clients failed: ${result.error}`));
      else if (result === null) reject(new Error(`the clients exited (${code}) without a result`));
      else resolve(result);
    });
  });
}

export async function run({ quick = false, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-ingest-'));
  const config = join(dir, 'config');
  mkdirSync(config);
  writeFileSync(join(config, 'cpu.yaml'), RULES);
  const started = await startServer({ config, data: join(dir, 'data', 'tocsin.db'), host: '127.0.0.1', port: '0', log: pino({ level: 'silent' }) }, { stdout: () => {}, stderr: (text) => log(text.trimEnd()) });
  if (typeof started === 'number') throw new Error(`the server did not start (exit ${started})`);
  const server = started;
  try {
    const created = createToken(server.runtime.store, { name: 'bench-telegraf', role: 'ingest', actor: 'bench', now: Date.now() });
    if (!created.ok) throw new Error(`cannot create an ingest token: ${created.error}`);
    const timing = quick ? { warmupMs: 500, windows: 2, windowMs: 1_000 } : { warmupMs: 2_000, windows: 5, windowMs: 2_000 };
    const options = {
      url: server.url, token: created.token, clients: CLIENTS, hostsPerClient: HOSTS_PER_CLIENT, seed: SEED,
      // Data time starts two hours back, so no sample lies in the future of the server's wall clock.
      startMs: Date.now() - 2 * 3_600_000, ...timing,
    };
    const engine = server.runtime.engine;
    // Diagnostics only: how long the server's event loop sits in the durable commit (fsync included).
    const store = server.runtime.store;
    const commit = store.commit.bind(store);
    const commits = { count: 0, nanos: 0 };
    store.commit = (batch) => {
      const start = process.hrtime.bigint();
      try {
        return commit(batch);
      } finally {
        commits.count++;
        commits.nanos += Number(process.hrtime.bigint() - start);
      }
    };
    const measured = timing.warmupMs + timing.windows * timing.windowMs;
    // The server's CPU over the measured windows (the clients' warm-up first): cores the server kept busy.
    let cpuStart = null;
    const cpuTimer = setTimeout(() => (cpuStart = { usage: process.cpuUsage(), at: performance.now() }), timing.warmupMs);
    const clients = runClients(options, measured + 60_000);
    const cpuEnd = new Promise((resolve) => setTimeout(() => resolve({ usage: process.cpuUsage(), at: performance.now() }), measured));
    const [result, end] = await Promise.all([clients, cpuEnd]);
    clearTimeout(cpuTimer);
    const serverCores = cpuStart === null ? null : (end.usage.user - cpuStart.usage.user + end.usage.system - cpuStart.usage.system) / 1e3 / (end.at - cpuStart.at);

    const problems = [];
    if (result.totals.failures > 0) problems.push(`${result.totals.failures} of ${result.totals.requests} requests failed, first: ${result.totals.firstFailure}`);
    if (engine.stats.samples !== result.totals.samples) problems.push(`the engine saw ${engine.stats.samples} samples, the clients had ${result.totals.samples} accepted`);
    if (engine.stats.evaluations !== result.totals.samples) problems.push(`${engine.stats.evaluations} evaluations for ${result.totals.samples} samples (each sample has one rule)`);
    const opens = engine.stats.events['alert.open'] ?? 0;
    const cancels = engine.stats.events['alert.cancel'] ?? 0;
    if (opens !== result.expected.opens || cancels !== result.expected.cancels) {
      problems.push(`${opens} alert.open / ${cancels} alert.cancel events, the clients' model expects ${result.expected.opens} / ${result.expected.cancels}`);
    }
    if (engine.stats.evaluationErrors > 0) problems.push(`${engine.stats.evaluationErrors} evaluation errors`);
    if (problems.length > 0) throw new Error(`cross-check failed: ${problems.join('; ')}`);

    const rates = result.windows.map((samples) => (samples * 1000) / result.windowMs);
    const data = {
      clients: CLIENTS,
      linesPerRequest: HOSTS_PER_CLIENT,
      samplesPerRequest: HOSTS_PER_CLIENT * 2,
      samplesPerSecond: median(rates),
      min: Math.min(...rates),
      max: Math.max(...rates),
      windows: rates,
      windowMs: result.windowMs,
      requests: result.totals.requests,
      samples: result.totals.samples,
      series: engine.seriesCount(),
      events: { opens, cancels },
      requestMs: result.requestMs,
      serverCores,
      commits: commits.count,
      commitMsMean: commits.count === 0 ? null : commits.nanos / commits.count / 1e6,
      // What the server does per second of its own CPU: steadier than samples/s on a busy machine.
      samplesPerServerCpuSecond: serverCores ? median(rates) / serverCores : null,
      clientCores: result.clientCpuSeconds / ((timing.windows * timing.windowMs) / 1000),
    };
    log(`  ${formatRate(data.samplesPerSecond)} samples/s (windows: ${rates.map((r) => formatRate(r)).join(', ')}); request p50 ${data.requestMs.p50?.toFixed(0)} ms, p99 ${data.requestMs.p99?.toFixed(0)} ms; server ${serverCores?.toFixed(2)} cores, clients ${data.clientCores.toFixed(2)} cores; ${commits.count} store commits of ${data.commitMsMean?.toFixed(1)} ms on average`);
    return report(data);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(d) {
  const table = {
    title: `Samples per second over HTTP, line protocol to rules evaluated and states committed (median of ${d.windows.length} windows of ${d.windowMs / 1000} s)`,
    columns: ['clients × lines per request', 'samples/s', 'min … max', 'request p50 / p99', 'server CPU', 'samples per server CPU-second', 'store commit (mean)', 'series', 'alerts opened / cancelled'],
    rows: [[
      `${d.clients} × ${d.linesPerRequest.toLocaleString('en')} (${d.samplesPerRequest.toLocaleString('en')} samples)`,
      formatRate(d.samplesPerSecond),
      `${formatRate(d.min)} … ${formatRate(d.max)}`,
      `${d.requestMs.p50?.toFixed(0)} / ${d.requestMs.p99?.toFixed(0)} ms`,
      d.serverCores === null ? '—' : `${d.serverCores.toFixed(2)} cores`,
      d.samplesPerServerCpuSecond === null ? '—' : formatRate(d.samplesPerServerCpuSecond),
      d.commitMsMean === null ? '—' : `${d.commitMsMean.toFixed(1)} ms`,
      d.series.toLocaleString('en'),
      `${d.events.opens} / ${d.events.cancels}`,
    ]],
  };
  const targets = [
    { name: 'samples/s over HTTP with rules evaluating (2 cores: server + clients)', value: d.samplesPerSecond, target: TARGETS.samplesPerSecond, unit: '/s' },
  ].map((t) => ({ ...t, pass: t.value >= t.target }));
  return {
    title,
    legend: [
      'Server: startServer (fastify, access control, line protocol parser, engine, SQLite store with durability full) in the bench process; clients: a child process with an undici Pool, one request in flight per client.',
      'Rules: cpu.usage_user > 90 over length(1), avg() < 2 over time(5 minute) on cpu.usage_idle, both filtered on tags.cpu; every sample is evaluated by one rule.',
    ],
    notes: [
      'Cross-checked: every request got 204, the engine counted exactly the samples sent and one evaluation each, and the alert.open / alert.cancel counts equal the clients\' model.',
      'Server CPU is the bench process\'s CPU time over the measured windows divided by wall time (more than 1 core means GC threads helped; less means the event loop waited, e.g. on fsync, or the machine was busy).',
      'Store commit: the mean time of one pipeline commit (states, history, events; fsynced), timed around store.commit; the event loop is blocked meanwhile.',
    ],
    summary: [table],
    tables: [table],
    targets,
    data: { targets: TARGETS, ...d },
  };
}
