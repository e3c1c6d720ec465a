/**
 * Engine bench (issue 4): samples per second through `Engine.ingest` on one core, and heap bytes per
 * series and per windowed sample.
 *
 * Three workloads, each a seeded stream of 10-second intervals of data time (clock mode 'data'),
 * fed in batches of 5,000 samples as the HTTP routes hand them over (a Telegraf batch):
 *   (a) 10,000 series (host × cpu=cpu-total), one rule `value > 90` over length(1);
 *   (b) the same 10,000 series, one rule `avg() > 90` over time(5 minute): 30 samples per window;
 *   (c) 1,000 rules on 1,000 distinct metrics, 5 entities each (5,000 series), thresholds 85…94.
 * Values are integers, mostly well below the threshold, with occasional excursions (a) (c) or hot
 * episodes (b) so that alerts open and cancel now and then, as in a real fleet.
 *
 * 1. Cross-check: the generator computes, with its own code, which samples fire and hence how many
 *    alert.open and alert.cancel events must come out; every round compares the engine's events
 *    (and its evaluation count) with that, and a difference stops the bench.
 * 2. Throughput: warm-up (until the windows are full and the code is optimised), then rounds
 *    round-robin over the three workloads; only the `engine.ingest` calls are timed (generating the
 *    samples, like parsing in the server, happens between them); the median round is reported.
 * 3. Memory: a child process with --expose-gc creates 10,000 series and fills their windows, taking
 *    heapUsed + arrayBuffers (window buffers above 64 bytes live outside the V8 heap) after a full GC
 *    at each step, so nothing else of this process is counted.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../dist/engine/engine.js';
import { formatRate, formatRatio } from './lib/format.js';
import { median } from './lib/measure.js';
import { seededRandom } from './lib/random.js';

export const title = 'Engine';

const TARGETS = {
  lengthOneSamplesPerSecond: 1_000_000,
  timeWindowSamplesPerSecond: 300_000,
  bytesPerSeries: 2048,
  bytesPerWindowedSample: 16,
};

const SEED = 20260401;
const BATCH_SIZE = 5_000;
const INTERVAL_MS = 10_000;
const START_MS = Date.UTC(2026, 0, 1);
const SERIES = 10_000;
const MANY_RULES = 1_000;
const ENTITIES_PER_METRIC = 5;
const WINDOW_MS = 5 * 60_000;
/** Samples in a full time(5 minute) window at one sample every 10 s: times t−290 s … t. */
const WINDOW_SAMPLES = WINDOW_MS / INTERVAL_MS;

/** A rule with the loader's defaults (as test/helpers/rules.ts makeRule builds them). */
function ruleDefinition({ name, metrics, condition, window }) {
  return {
    name, file: 'bench.yaml', line: 1, metrics, groupBy: null, window, forMs: 0, keepFiringForMs: 0,
    repeat: { kind: 'none' }, noDataMs: null, flapping: null, schedule: null, severity: 'warning',
    overrides: [], labels: {}, notify: [], message: '', timezone: 'UTC', enabled: true,
    condition: { text: condition, origin: { file: 'bench.yaml' } },
  };
}

/**
 * One series of a workload as the generator models it. `firing` is the model's own verdict on the
 * last sample; `recent` holds the window's values for avg() (time windows only).
 */
function makeSeries(metric, entity, threshold, windowed) {
  return { metric, entity, threshold, firing: false, hot: 0, recent: windowed ? [] : null, sum: 0 };
}

/**
 * Excursions (length(1) rules): a cool series goes above its threshold with probability 1/2,000 per
 * sample and comes back down with probability 1/2 per sample.
 */
function nextExcursionValue(series, random) {
  if (series.hot > 0) series.hot = random.next() < 0.5 ? 1 : 0;
  else if (random.next() < 1 / 2000) series.hot = 1;
  return series.hot > 0 ? series.threshold + 1 + random.int(100 - series.threshold) : random.int(81);
}

/**
 * Hot episodes (time windows): with probability 1/3,000 per sample a series runs hot (95…100) for
 * 20…60 samples; cool values are 0…85. avg() over 30 samples exceeds 90 only late in a long episode.
 * The model's sum is exact (integers), and a value that would make avg() exactly 90 is nudged, so
 * the verdict never depends on how the engine rounds.
 */
function nextEpisodeValue(series, random) {
  if (series.hot > 0) series.hot--;
  else if (random.next() < 1 / 3000) series.hot = 20 + random.int(41);
  let value = series.hot > 0 ? 95 + random.int(6) : random.int(86);
  const recent = series.recent;
  const dropped = recent.length === WINDOW_SAMPLES ? recent[0] : 0;
  const count = Math.min(recent.length + 1, WINDOW_SAMPLES);
  if (series.sum - dropped + value === series.threshold * count) value += value === 100 ? -1 : 1;
  return value;
}

/** The model's verdict for the new value: does the rule's condition hold? */
function modelFires(series, value) {
  if (series.recent === null) return value > series.threshold;
  if (series.recent.length === WINDOW_SAMPLES) series.sum -= series.recent.shift();
  series.recent.push(value);
  series.sum += value;
  return series.sum > series.threshold * series.recent.length;
}

/**
 * A seeded stream of intervals for one workload. `next()` returns the interval's samples (fresh
 * objects with a fresh tags object each, as the line protocol parser makes them) and how many
 * alert.open / alert.cancel events they must cause.
 */
class SampleStream {
  constructor(series, nextValue, seed) {
    this.series = series;
    this.nextValue = nextValue;
    this.random = seededRandom(seed);
    this.interval = 0;
  }

  next() {
    const time = START_MS + this.interval++ * INTERVAL_MS;
    const samples = new Array(this.series.length);
    let opens = 0;
    let cancels = 0;
    for (let i = 0; i < this.series.length; i++) {
      const s = this.series[i];
      const value = this.nextValue(s, this.random);
      const firing = modelFires(s, value);
      // forMs 0, keep_firing_for 0, no repeat: open on the first firing sample, cancel on the first quiet one.
      if (firing && !s.firing) opens++;
      else if (!firing && s.firing) cancels++;
      s.firing = firing;
      samples[i] = { metric: s.metric, entity: s.entity, tags: { cpu: 'cpu-total' }, time, value };
    }
    return { samples, opens, cancels };
  }
}

function workloads() {
  const hosts = Array.from({ length: SERIES }, (_, i) => `host-${String(i).padStart(5, '0')}`);
  const metricNames = Array.from({ length: MANY_RULES }, (_, i) => `app.m${String(i).padStart(4, '0')}`);
  return [
    {
      id: 'length-1',
      label: `(a) ${SERIES.toLocaleString('en')} series, length(1), value > 90`,
      rules: [ruleDefinition({ name: 'cpu-high', metrics: ['cpu.usage_user'], condition: 'value > 90', window: { kind: 'length', size: 1 } })],
      series: () => hosts.map((host) => makeSeries('cpu.usage_user', host, 90, false)),
      nextValue: nextExcursionValue,
    },
    {
      id: 'time-5m-avg',
      label: `(b) ${SERIES.toLocaleString('en')} series, time(5 minute), avg() > 90`,
      rules: [ruleDefinition({ name: 'cpu-high-5m', metrics: ['cpu.usage_user'], condition: 'avg() > 90', window: { kind: 'time', ms: WINDOW_MS } })],
      series: () => hosts.map((host) => makeSeries('cpu.usage_user', host, 90, true)),
      nextValue: nextEpisodeValue,
    },
    {
      id: 'many-rules',
      label: `(c) ${MANY_RULES.toLocaleString('en')} rules on ${MANY_RULES.toLocaleString('en')} metrics, ${ENTITIES_PER_METRIC} entities each`,
      rules: metricNames.map((metric, i) => ruleDefinition({ name: `rule-${i}`, metrics: [metric], condition: `value > ${85 + (i % 10)}`, window: { kind: 'length', size: 1 } })),
      series: () => metricNames.flatMap((metric, i) => hosts.slice(0, ENTITIES_PER_METRIC).map((host) => makeSeries(metric, host, 85 + (i % 10), false))),
      nextValue: nextExcursionValue,
    },
  ];
}

/** A workload with its engine, its generator and the running totals the cross-check compares. */
function prepare(workload, index) {
  return {
    ...workload,
    engine: new Engine({ clock: { mode: 'data' }, rules: workload.rules }),
    stream: new SampleStream(workload.series(), workload.nextValue, SEED + index),
    expected: { opens: 0, cancels: 0, samples: 0 },
    seen: { opens: 0, cancels: 0, other: 0 },
    rounds: [],
    cpuRounds: [],
  };
}

/**
 * Feeds `intervals` intervals; returns the wall-clock nanoseconds spent inside engine.ingest, the
 * process CPU microseconds over the same calls (GC helper threads included), and the samples fed.
 */
function feed(subject, intervals) {
  let nanos = 0;
  let cpuMicros = 0;
  let samples = 0;
  for (let k = 0; k < intervals; k++) {
    const interval = subject.stream.next();
    subject.expected.opens += interval.opens;
    subject.expected.cancels += interval.cancels;
    for (let offset = 0; offset < interval.samples.length; offset += BATCH_SIZE) {
      const batch = interval.samples.slice(offset, offset + BATCH_SIZE);
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const output = subject.engine.ingest(batch);
      nanos += Number(process.hrtime.bigint() - start);
      const used = process.cpuUsage(cpu);
      cpuMicros += used.user + used.system;
      for (const { event } of output.events) {
        if (event.type === 'alert.open') subject.seen.opens++;
        else if (event.type === 'alert.cancel') subject.seen.cancels++;
        else subject.seen.other++;
      }
    }
    samples += interval.samples.length;
  }
  subject.expected.samples += samples;
  verify(subject);
  return { nanos, cpuMicros, samples };
}

function verify(subject) {
  const { expected, seen, engine } = subject;
  const problems = [];
  if (seen.opens !== expected.opens) problems.push(`${seen.opens} alert.open events, the model expects ${expected.opens}`);
  if (seen.cancels !== expected.cancels) problems.push(`${seen.cancels} alert.cancel events, the model expects ${expected.cancels}`);
  if (seen.other !== 0) problems.push(`${seen.other} other events (rule.error?)`);
  if (engine.stats.evaluations !== expected.samples) problems.push(`${engine.stats.evaluations} evaluations for ${expected.samples} samples`);
  if (engine.stats.droppedSamples !== 0) problems.push(`${engine.stats.droppedSamples} samples dropped`);
  if (problems.length > 0) throw new Error(`cross-check failed: ${subject.label}: ${problems.join('; ')}`);
}

function measureThroughput({ quick, log }) {
  const roundMs = quick ? 60 : 200;
  const rounds = quick ? 3 : 9;
  const warmupMs = quick ? 150 : 600;
  const subjects = workloads().map(prepare);
  for (const subject of subjects) {
    // Warm up: at least one full time window, and long enough for the optimiser.
    let nanos = 0;
    let samples = 0;
    let intervals = 0;
    while (intervals < WINDOW_SAMPLES + 5 || nanos < warmupMs * 1e6) {
      const fed = feed(subject, 1);
      nanos += fed.nanos;
      samples += fed.samples;
      intervals++;
    }
    subject.intervalsPerRound = Math.max(1, Math.round((roundMs * 1e6) / (nanos / intervals)));
    log(`  warmed up ${subject.label}: ${intervals} intervals, ${formatRate((samples * 1e9) / nanos)} samples/s; ${subject.intervalsPerRound} intervals per round`);
  }
  // Round-robin: a load change on this (shared) machine hits every workload alike.
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) {
      const { nanos, cpuMicros, samples } = feed(subject, subject.intervalsPerRound);
      subject.rounds.push((samples * 1e9) / nanos);
      subject.cpuRounds.push((samples * 1e6) / cpuMicros);
    }
  }
  return subjects.map((s) => ({
    id: s.id,
    label: s.label,
    rules: s.rules.length,
    series: s.engine.seriesCount(),
    samplesPerSecond: median(s.rounds),
    min: Math.min(...s.rounds),
    max: Math.max(...s.rounds),
    rounds: s.rounds,
    // A busy machine takes the core away now and then: per CPU-second shows what the code itself does.
    samplesPerCpuSecond: median(s.cpuRounds),
    samples: s.expected.samples,
    events: { opens: s.seen.opens, cancels: s.seen.cancels },
  }));
}

// ---------------------------------------------------------------------------------------------
// Memory, measured in a child process with --expose-gc

/**
 * Bytes the process holds for JavaScript after a full GC: the V8 heap plus ArrayBuffer backing
 * stores, which live outside it (every window buffer above 64 bytes is one).
 */
function heapUsed() {
  // Two passes: the first may only finalise what the second frees.
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Runs in the child: heap per series for (a) and for (b) with 1 and with full windows. */
function memoryChild() {
  const [lengthOne, timeWindow] = workloads();
  const measure = (workload, intervalsList) => {
    // Values without the avg() model: its per-series history would grow with the windows and be counted.
    const series = workload.series().map((s) => makeSeries(s.metric, s.entity, s.threshold, false));
    const stream = new SampleStream(series, nextExcursionValue, SEED);
    let engine = new Engine({ clock: { mode: 'data' }, rules: workload.rules });
    const base = heapUsed();
    const points = [];
    let fed = 0;
    for (const intervals of intervalsList) {
      for (; fed < intervals; fed++) {
        const { samples } = stream.next();
        for (let offset = 0; offset < samples.length; offset += BATCH_SIZE) engine.ingest(samples.slice(offset, offset + BATCH_SIZE));
      }
      points.push({ intervals, bytes: heapUsed() - base, series: engine.seriesCount() });
    }
    if (engine.seriesCount() !== SERIES) throw new Error(`expected ${SERIES} series, the engine has ${engine.seriesCount()}`);
    engine = null;
    return points;
  };
  const [a] = measure(lengthOne, [1]);
  const [b1, bFull] = measure(timeWindow, [1, WINDOW_SAMPLES]);
  return {
    series: SERIES,
    lengthOneBytesPerSeries: a.bytes / SERIES,
    timeWindowBytesPerSeriesOneSample: b1.bytes / SERIES,
    timeWindowBytesPerSeriesFull: bFull.bytes / SERIES,
    windowSamples: WINDOW_SAMPLES,
    bytesPerWindowedSample: (bFull.bytes - b1.bytes) / (SERIES * (WINDOW_SAMPLES - 1)),
  };
}

const THIS_FILE = fileURLToPath(import.meta.url);

function measureMemory() {
  // Always a fresh process: the throughput engines and whatever else ran here stay out of the count.
  const child = spawnSync(process.execPath, ['--expose-gc', THIS_FILE, '--memory-child'], { encoding: 'utf8', timeout: 120_000 });
  if (child.status !== 0) throw new Error(`memory child failed (status ${child.status}, signal ${child.signal}): ${child.stderr}`);
  return JSON.parse(child.stdout);
}

export async function run({ quick = false, log = () => {} } = {}) {
  const throughput = measureThroughput({ quick, log });
  for (const r of throughput) log(`  ${r.label.padEnd(56)} ${formatRate(r.samplesPerSecond).padStart(8)} samples/s  (${r.events.opens} opens, ${r.events.cancels} cancels)`);
  const memory = measureMemory();
  log(`  heap per series: length(1) ${memory.lengthOneBytesPerSeries.toFixed(0)} B; time(5 minute) full ${memory.timeWindowBytesPerSeriesFull.toFixed(0)} B, ${memory.bytesPerWindowedSample.toFixed(1)} B per windowed sample`);
  return report(throughput, memory);
}

function report(throughput, memory) {
  const byId = Object.fromEntries(throughput.map((r) => [r.id, r]));
  const throughputTable = {
    title: `Samples per second through Engine.ingest on one core (median of rounds; batches of ${BATCH_SIZE.toLocaleString('en')} samples, one every 10 s of data time per series)`,
    columns: ['workload', 'rules', 'series', 'samples/s', 'min … max', 'samples per CPU-second', 'alerts opened / cancelled'],
    rows: throughput.map((r) => [
      r.label, r.rules, r.series.toLocaleString('en'), formatRate(r.samplesPerSecond), `${formatRate(r.min)} … ${formatRate(r.max)}`,
      formatRate(r.samplesPerCpuSecond), `${r.events.opens} / ${r.events.cancels}`,
    ]),
  };
  const budgetFull = TARGETS.bytesPerSeries + TARGETS.bytesPerWindowedSample * memory.windowSamples;
  const memoryTable = {
    title: `Heap per series (heapUsed + arrayBuffers after full GC, ${memory.series.toLocaleString('en')} series, child process with --expose-gc)`,
    columns: ['series of', 'bytes per series', 'budget', 'bytes per windowed sample'],
    rows: [
      ['(a) length(1), 1 sample', memory.lengthOneBytesPerSeries.toFixed(0), TARGETS.bytesPerSeries, ''],
      ['(b) time(5 minute), 1 sample', memory.timeWindowBytesPerSeriesOneSample.toFixed(0), TARGETS.bytesPerSeries + TARGETS.bytesPerWindowedSample, ''],
      [`(b) time(5 minute), ${memory.windowSamples} samples`, memory.timeWindowBytesPerSeriesFull.toFixed(0), budgetFull, memory.bytesPerWindowedSample.toFixed(1)],
    ],
  };
  const targets = [
    { name: '(a) length(1) samples through the engine', value: byId['length-1'].samplesPerSecond, target: TARGETS.lengthOneSamplesPerSecond, unit: '/s' },
    { name: '(b) time(5 minute) avg() samples through the engine', value: byId['time-5m-avg'].samplesPerSecond, target: TARGETS.timeWindowSamplesPerSecond, unit: '/s' },
    // The formatter only knows "≥": memory targets are stated as budget ÷ measured, which must be ≥ 1.
    { name: `heap per length(1) series within ${TARGETS.bytesPerSeries} B (budget ÷ measured)`, value: TARGETS.bytesPerSeries / memory.lengthOneBytesPerSeries, target: 1, unit: '×' },
    { name: `heap per time(5 minute) series with ${memory.windowSamples} samples within ${budgetFull} B (budget ÷ measured)`, value: budgetFull / memory.timeWindowBytesPerSeriesFull, target: 1, unit: '×' },
  ].map((t) => ({ ...t, pass: t.value >= t.target }));
  return {
    title,
    legend: [
      'Samples: metric, entity, a fresh tags object {cpu: cpu-total} per sample (as the line protocol parser makes them), integer value; clock mode data.',
      '(a)/(c): values 0…80, an excursion above the threshold with probability 1/2,000 per sample; (b): hot episodes of 20…60 samples at 95…100.',
      'Samples per CPU-second: the same rounds over process CPU time (GC threads included); it differs from samples/s when other work on the machine takes the core.',
      'Only Engine.ingest is timed; the next interval\'s samples are generated between calls, so the GC of the real server\'s parse → ingest cycle is included.',
    ],
    notes: [
      'Every round is cross-checked: the alert.open and alert.cancel counts equal those of an independent model of the rule (exact integer sums for avg()), and every sample is evaluated once.',
      'Memory target: 2 KiB per series + 16 B per windowed sample; the series includes its entity (one entity per series here), key, identity, window and alert state.',
    ],
    summary: [throughputTable, memoryTable],
    tables: [throughputTable, memoryTable],
    targets,
    data: { batchSize: BATCH_SIZE, targets: TARGETS, throughput, memory },
  };
}

if (process.argv.includes('--memory-child') && resolve(process.argv[1] ?? '') === THIS_FILE) {
  if (typeof globalThis.gc !== 'function') throw new Error('the memory child needs --expose-gc');
  process.stdout.write(JSON.stringify(memoryChild()));
}
