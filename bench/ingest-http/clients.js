/**
 * The HTTP clients of the ingestion bench, run in a child process (forked by bench/ingest-http.js)
 * so the server in the parent keeps its core to itself.
 *
 * Each of `clients` loops plays one Telegraf agent for its own `hostsPerClient` hosts: it builds
 * one interval of their cpu input as line protocol (5,000 lines, two fields each, time advancing
 * 10 s per batch), POSTs it on a keep-alive undici Pool, waits for the answer, and repeats. Building
 * the next body is this process's work, never the server's.
 *
 * It models the server's rule `cpu.usage_user > 90` (length(1)) on the values it sends and counts
 * the alert.open and alert.cancel events the server must emit, for the parent's cross-check.
 *
 * Input: one JSON argument (url, token, clients, hostsPerClient, warmupMs, windows, windowMs, seed,
 * startMs). Output: one IPC message with the per-window sample counts and the totals; then it exits.
 */
import { Pool } from 'undici';
import { seededRandom } from '../lib/random.js';

const options = JSON.parse(process.argv[2]);
const INTERVAL_MS = 10_000;

/** Telegraf prints floats without an exponent; six decimals keep JavaScript's text exponent-free too. */
const percent = (x) => Math.round(x * 1e6) / 1e6;

class Agent {
  constructor(index) {
    this.random = seededRandom(options.seed + index);
    this.hosts = Array.from({ length: options.hostsPerClient }, (_, i) => ({
      name: `h${String(index * options.hostsPerClient + i).padStart(6, '0')}`,
      hot: false,
      firing: false,
    }));
    this.time = options.startMs;
    this.opens = 0;
    this.cancels = 0;
  }

  /** One interval of every host: a Telegraf batch. */
  body() {
    const ns = `${BigInt(this.time) * 1_000_000n}`;
    this.time += INTERVAL_MS;
    const lines = new Array(this.hosts.length);
    for (let i = 0; i < this.hosts.length; i++) {
      const host = this.hosts[i];
      // Excursions above 90 % with probability 1/2,000 per sample, ending with probability 1/2.
      host.hot = host.hot ? this.random.next() < 0.5 : this.random.next() < 1 / 2000;
      const user = percent(host.hot ? 90 + (1 - this.random.next()) * 10 : this.random.next() * 80);
      const idle = percent(Math.max(3, 100 - user - this.random.next() * 5));
      if (user > 90 && !host.firing) this.opens++;
      else if (!(user > 90) && host.firing) this.cancels++;
      host.firing = user > 90;
      lines[i] = `cpu,cpu=cpu-total,host=${host.name} usage_idle=${idle},usage_user=${user} ${ns}`;
    }
    return `${lines.join('\n')}\n`;
  }
}

async function main() {
  const pool = new Pool(options.url, { connections: options.clients, pipelining: 1, keepAliveTimeout: 30_000 });
  const samplesPerBatch = options.hostsPerClient * 2;
  const windows = new Array(options.windows).fill(0);
  const latencies = [];
  const totals = { requests: 0, samples: 0, failures: 0, firstFailure: null };
  const started = performance.now();
  const measureFrom = started + options.warmupMs;
  const measureUntil = measureFrom + options.windows * options.windowMs;
  const cpuAtStart = { value: null };

  const loop = async (agent) => {
    while (performance.now() < measureUntil) {
      const body = agent.body();
      const sent = performance.now();
      const response = await pool.request({
        method: 'POST',
        path: '/api/v1/write?precision=ns',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'text/plain; charset=utf-8' },
        body,
      });
      const text = await response.body.text();
      const done = performance.now();
      totals.requests++;
      if (response.statusCode !== 204) {
        totals.failures++;
        totals.firstFailure ??= `${response.statusCode} ${text.slice(0, 500)}`;
        continue;
      }
      totals.samples += samplesPerBatch;
      if (done >= measureFrom) {
        cpuAtStart.value ??= process.cpuUsage();
        const w = Math.floor((done - measureFrom) / options.windowMs);
        if (w < windows.length) {
          windows[w] += samplesPerBatch;
          latencies.push(done - sent);
        }
      }
    }
  };
  const agents = Array.from({ length: options.clients }, (_, i) => new Agent(i));
  await Promise.all(agents.map(loop));
  const cpu = process.cpuUsage(cpuAtStart.value ?? undefined);
  await pool.close();
  latencies.sort((a, b) => a - b);
  process.send({
    windows,
    windowMs: options.windowMs,
    totals,
    expected: { opens: agents.reduce((n, a) => n + a.opens, 0), cancels: agents.reduce((n, a) => n + a.cancels, 0) },
    requestMs: { p50: latencies[Math.floor(latencies.length * 0.5)] ?? null, p99: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? null },
    clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
  }, () => process.exit(0));
}

main().catch((error) => {
  process.send({ error: error instanceof Error ? error.stack ?? error.message : String(error) }, () => process.exit(1));
});
