/**
 * Soak (issue 12 item 3, "Must show"): memory when series come and go, in replay and in a server.
 * Runs with `npm run bench` or alone: `node bench/run.js soak [--quick]`; the HTTP part's length is
 * `TOCSIN_SOAK_HTTP_SECONDS` (default 300 s; 20 s with --quick).
 *
 * 1. Churn replay: 1.5 M samples over 25 h where every 10 minutes brings 10,000 new container ids
 *    (each reports once), against 10,000 steady series reporting every 10 minutes over the same
 *    span: the same samples, the same rate. Each replay runs in its own process (bench/soak/
 *    replay-child.js) and reports its peak RSS (process.resourceUsage().maxRSS); the target is
 *    churn ÷ steady ≤ 2. Also: series live at the end (replay's summary) and whether the last
 *    generation still alerts (its alert.open events against the samples above 80 it holds).
 * 2. Churn over HTTP: `tocsin run` in a child process on 127.0.0.1 with a temp store, fed NDJSON
 *    batches once a second by this process, every 10 s a generation of 2,000 new container ids;
 *    at the end its peak RSS (VmHWM of /proc/<pid>/status) and the live series read from /metrics
 *    as `tocsin_series` (summed over its labels; "—" when the build does not export it).
 *
 * Rules (bench/soak's own temp config dir): `value > 80` on container.cpu; the replay runs with the
 * default `series_ttl` (1h), the HTTP run with `series_ttl: 1m` so its churn is forgotten within the run
 * (a build that does not know `series_ttl` gets the rule without it, noted).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRuleDirectory } from '../dist/engine/rules/load.js';
import { formatRatio } from './lib/format.js';
import { writeSoakFile } from './soak/churn-files.js';

export const title = 'Soak: series that come and go';

/** The /metrics gauge of series held by the engine. */
export const LIVE_SERIES_METRIC = 'tocsin_series';
const TARGETS = { churnOverSteadyRss: 2 };
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./soak/replay-child.js', import.meta.url));
const TOCSIN = join(ROOT, 'bin', 'tocsin.js');

const rulesText = (ttl) => `rules:
  - name: container-cpu-high
    metric: container.cpu
    window: length(1)
    condition: value > 80
${ttl ? '    series_ttl: 1m\n' : ''}    severity: warning
`;

/**
 * Writes the bench's rules. The replay compares churn with steady series under the default
 * series_ttl (1h; the scenario): a steady series reports every 10 minutes, so a shorter
 * ttl would forget the steady series too and make the comparison meaningless. The HTTP run uses
 * series_ttl: 1m when this build accepts it, so its churn is forgotten within the run.
 */
function writeRules(dir, { shortTtl } = { shortTtl: true }) {
  mkdirSync(dir, { recursive: true });
  if (!shortTtl) {
    writeFileSync(join(dir, 'soak.yaml'), rulesText(false));
    return 'default';
  }
  writeFileSync(join(dir, 'soak.yaml'), rulesText(true));
  const loaded = loadRuleDirectory(dir);
  if (loaded.ruleSet) return true;
  writeFileSync(join(dir, 'soak.yaml'), rulesText(false));
  const again = loadRuleDirectory(dir);
  if (!again.ruleSet) throw new Error(`the soak rules do not load: ${JSON.stringify(again.diagnostics.slice(0, 2))}`);
  return false;
}

function replayInChild(options) {
  const result = spawnSync(process.execPath, [CHILD, JSON.stringify(options)], { encoding: 'utf8', maxBuffer: 16 << 20, timeout: 30 * 60_000 });
  if (result.status !== 0) throw new Error(`replay child failed (${result.status ?? result.signal}): ${result.stderr.slice(-2000)}`);
  const report = JSON.parse(result.stdout.trim().split('\n').at(-1));
  if (report.code !== 0) throw new Error(`replay of ${options.input} exited ${report.code}: ${report.errors.slice(0, 1000)}`);
  return report;
}

async function churnReplay({ quick, log, dir }) {
  const shape = { perGeneration: quick ? 1_000 : 10_000, generations: 150 };
  const rules = join(dir, 'rules');
  const ttl = writeRules(rules, { shortTtl: false });
  const runs = {};
  for (const kind of ['churn', 'steady']) {
    const input = join(dir, `${kind}.ndjson`);
    const written = writeSoakFile(input, { kind, ...shape });
    log(`  ${kind}: ${written.samples} samples written; replaying in a child process…`);
    const report = replayInChild({ rules, input, out: join(dir, `${kind}.events.ndjson`), lastGenerationPrefix: written.lastGenerationPrefix });
    rmSync(input, { force: true });
    rmSync(join(dir, `${kind}.events.ndjson`), { force: true });
    runs[kind] = { ...written, maxRssBytes: report.maxRssBytes, liveSeries: report.liveSeries, lastGenerationOpens: report.lastGenerationOpens };
    log(`  ${kind}: peak RSS ${(report.maxRssBytes / 2 ** 20).toFixed(0)} MiB, ${report.liveSeries} series live at the end`);
  }
  const churn = runs.churn;
  if (churn.lastGenerationOpens === null) throw new Error('cross-check failed: the churn replay did not report its last generation');
  return { shape, seriesTtl: ttl, runs, ratio: churn.maxRssBytes / runs.steady.maxRssBytes, lastGenerationAlerts: churn.lastGenerationOpens === churn.lastGenerationHot && churn.lastGenerationHot > 0 };
}

/** Peak and current RSS of a process from /proc (Linux); nulls elsewhere. */
function procMemory(pid) {
  const path = `/proc/${pid}/status`;
  if (!existsSync(path)) return { peakBytes: null, rssBytes: null };
  const status = readFileSync(path, 'utf8');
  const kb = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  };
  return { peakBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

/** The sum of a gauge over its label sets in a Prometheus text exposition, or null when absent. */
export function gaugeValue(exposition, name) {
  let total = null;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match && match[1] === name) total = (total ?? 0) + Number(match[3]);
  }
  return total;
}

function startServer(dir) {
  const config = join(dir, 'config');
  const seriesTtl = writeRules(config);
  const data = join(dir, 'data', 'tocsin.db');
  mkdirSync(join(dir, 'data'), { recursive: true });
  const created = spawnSync(process.execPath, [TOCSIN, 'token', 'create', '--role', 'admin', '--name', 'soak', '--data', data], { encoding: 'utf8', timeout: 60_000 });
  if (created.status !== 0) throw new Error(`token create failed: ${created.stderr}`);
  const token = created.stdout.trim().split('\n').at(-1);
  const child = spawn(process.execPath, [TOCSIN, 'run', '--config', config, '--data', data, '--host', '127.0.0.1', '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within 30 s: ${stderr}`));
    }, 30_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      stderr += text;
      const match = /tocsin (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], token, seriesTtl, stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it listened: ${stderr}`));
    });
  });
}

function stopServer(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Feeds the server churning series over HTTP for `durationMs`: one NDJSON batch per `tickMs` with a
 * sample of every container of the current generation; a new generation every `generationMs`.
 */
export async function churnOverHttp({ durationMs, generationMs = 10_000, perGeneration = 2_000, tickMs = 1_000, dir, log = () => {} }) {
  const server = await startServer(dir);
  const headers = { authorization: `Bearer ${server.token}` };
  try {
    const started = Date.now();
    let samples = 0;
    let batches = 0;
    let failures = 0;
    let firstFailure = null;
    let value = 0;
    while (Date.now() - started < durationMs) {
      const tickStart = Date.now();
      const generation = Math.floor((tickStart - started) / generationMs);
      const lines = new Array(perGeneration);
      for (let i = 0; i < perGeneration; i++) {
        value = (value * 1103515245 + 12345) % 2147483648; // a fixed LCG: the same values every run
        lines[i] = `{"metric":"container.cpu","entity":"g${generation}-${i}","time":${tickStart},"value":${value % 100}}`;
      }
      const response = await fetch(`${server.url}/api/v1/samples`, {
        method: 'POST', headers: { ...headers, 'content-type': 'application/x-ndjson' }, body: `${lines.join('\n')}\n`, signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      batches++;
      if (response.status >= 300) {
        failures++;
        firstFailure ??= `${response.status} ${text.slice(0, 300)}`;
      } else {
        samples += perGeneration;
      }
      if (batches % 30 === 0) log(`  HTTP: ${Math.round((Date.now() - started) / 1000)} s, generation ${generation}, ${samples} samples accepted`);
      const wait = tickMs - (Date.now() - tickStart);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const metrics = await fetch(`${server.url}/metrics`, { headers, signal: AbortSignal.timeout(30_000) });
    const exposition = await metrics.text();
    if (metrics.status !== 200) throw new Error(`GET /metrics answered ${metrics.status}: ${exposition.slice(0, 300)}`);
    const memory = procMemory(server.child.pid);
    if (failures > 0) throw new Error(`cross-check failed: ${failures} of ${batches} batches refused, first: ${firstFailure}`);
    return {
      durationMs: Date.now() - started, generationMs, perGeneration, tickMs, batches, samples,
      generations: Math.floor((Date.now() - started) / generationMs) + 1,
      seriesTtl: server.seriesTtl,
      peakRssBytes: memory.peakBytes, rssBytes: memory.rssBytes,
      liveSeries: gaugeValue(exposition, LIVE_SERIES_METRIC),
      samplesReceived: gaugeValue(exposition, 'tocsin_samples_received_total'),
    };
  } finally {
    await stopServer(server.child);
  }
}

const mib = (bytes) => (bytes === null ? '—' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);

export async function run({ quick = false, log = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-soak-'));
  try {
    const replay = await churnReplay({ quick, log, dir: join(dir, 'replay') });
    const seconds = Number(process.env.TOCSIN_SOAK_HTTP_SECONDS ?? (quick ? 20 : 300));
    log(`  HTTP: ${seconds} s of churn against tocsin run…`);
    const http = await churnOverHttp({ durationMs: seconds * 1000, dir: join(dir, 'http'), log });
    if (http.samplesReceived !== null && http.samplesReceived !== http.samples) {
      throw new Error(`cross-check failed: the server counted ${http.samplesReceived} samples, ${http.samples} were accepted`);
    }
    return report(replay, http);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(replay, http) {
  const { churn, steady } = replay.runs;
  const replayTable = {
    title: `Replay of ${churn.samples.toLocaleString('en')} samples over 25 h: peak RSS of each run in its own process`,
    columns: ['input', 'series over the span', 'peak RSS', 'series live at the end', 'last generation alerts'],
    rows: [
      [`churn: every 10 min ${replay.shape.perGeneration.toLocaleString('en')} new container ids`, (replay.shape.perGeneration * replay.shape.generations).toLocaleString('en'), mib(churn.maxRssBytes), churn.liveSeries?.toLocaleString('en') ?? '—', `${replay.lastGenerationAlerts ? 'yes' : 'NO'} (${churn.lastGenerationOpens} of ${churn.lastGenerationHot} opens)`],
      [`steady: ${replay.shape.perGeneration.toLocaleString('en')} series every 10 min`, replay.shape.perGeneration.toLocaleString('en'), mib(steady.maxRssBytes), steady.liveSeries?.toLocaleString('en') ?? '—', '—'],
      ['churn ÷ steady', '', formatRatio(replay.ratio), '', ''],
    ],
  };
  const httpTable = {
    title: `tocsin run fed churning series over HTTP for ${(http.durationMs / 1000).toFixed(0)} s`,
    columns: ['churn', 'samples accepted', 'series over the run', 'peak RSS', 'RSS at the end', `series live at the end (${LIVE_SERIES_METRIC})`],
    rows: [[
      `${http.perGeneration.toLocaleString('en')} new ids every ${http.generationMs / 1000} s, one batch per ${http.tickMs / 1000} s`,
      http.samples.toLocaleString('en'), (http.perGeneration * http.generations).toLocaleString('en'),
      mib(http.peakRssBytes), mib(http.rssBytes), http.liveSeries === null ? '— (not exported by this build)' : http.liveSeries.toLocaleString('en'),
    ]],
  };
  const targets = [
    { name: 'churn replay peak RSS ÷ steady replay peak RSS', value: replay.ratio, target: TARGETS.churnOverSteadyRss, unit: '×', atMost: true },
  ].map((t) => ({ ...t, pass: t.value <= t.target }));
  if (!replay.lastGenerationAlerts) targets.push({ name: 'the churn replay\'s last generation alerts', value: 0, target: 1, unit: '', pass: false });
  const notes = ['Cross-checked: every HTTP batch accepted (and counted by the server when it exports tocsin_samples_received_total); the last generation\'s alert.open events equal its samples above 80.'];
  if (!http.seriesTtl) notes.push('This build does not accept `series_ttl`: the rules ran without it, so nothing forgets a series.');
  if (http.liveSeries === null) notes.push(`This build exports no ${LIVE_SERIES_METRIC} gauge on /metrics.`);
  return {
    title,
    legend: [
      'Rule: `value > 80` over length(1) on container.cpu (replay: default `series_ttl` 1h; HTTP: `series_ttl: 1m`); about one sample in five is above 80.',
      'Replay peak RSS: process.resourceUsage().maxRSS of a child process that only replays; HTTP peak RSS: VmHWM of the server process.',
    ],
    notes,
    summary: [replayTable, httpTable],
    tables: [replayTable, httpTable],
    targets,
    data: { targets: TARGETS, liveSeriesMetric: LIVE_SERIES_METRIC, replay, http },
  };
}
