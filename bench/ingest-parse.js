/**
 * Ingestion body parsing: samples per second for the parsers behind POST /api/v1/write (Influx line
 * protocol) and POST /api/v1/samples (JSON array, NDJSON), without HTTP.
 *
 * The workload is one Telegraf-shaped batch (cpu, mem, disk, net, system inputs of a fleet of
 * hosts, tags sorted as Telegraf sorts them, full-precision floats as Go prints them), generated
 * from a seeded generator together with the samples it must produce. Every format is parsed once
 * and compared sample by sample with that expectation before anything is timed: a fast wrong
 * parser stops the bench. JSON.parse alone on the same array is the floor for the JSON formats.
 *
 * The HTTP ingestion bench needs ≥ 250,000 samples/s end to end on 2 cores, so the parsers must
 * leave most of the time to the rest of the pipeline: the targets are 4× and 2× that.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseLineProtocol, parseSamplesBody } from '../dist/server/ingest/index.js';
import { formatRate } from './lib/format.js';
import { DEFAULT_TIMING, measureRates } from './lib/measure.js';
import { seededRandom } from './lib/random.js';

export const title = 'Ingestion parsing';

const TARGETS = { lineProtocol: 1_000_000, json: 500_000 };

const HOSTS = 40;
const INTERVALS = 2;
const START_NS = 1_700_000_000_000_000_000n;
const INTERVAL_NS = 10_000_000_000n;

/** Tags in Telegraf's order (sorted by key), `host` among them; fields as [key, kind, value]. */
function* telegrafMetrics(random) {
  const percent = () => random.next() * 100; // full precision, like Go's strconv.FormatFloat(f, 'f', -1, 64)
  const counter = (scale) => Math.floor(random.next() * scale);
  for (let interval = 0; interval < INTERVALS; interval++) {
    const ns = START_NS + BigInt(interval) * INTERVAL_NS;
    for (let h = 1; h <= HOSTS; h++) {
      const host = `web-${String(h).padStart(2, '0')}`;
      for (const cpu of ['cpu-total', 'cpu0', 'cpu1', 'cpu2', 'cpu3']) {
        const idle = percent();
        yield { measurement: 'cpu', tags: [['cpu', cpu], ['host', host]], ns, fields: [
          ['usage_guest', 'float', 0], ['usage_guest_nice', 'float', 0], ['usage_idle', 'float', idle],
          ['usage_iowait', 'float', percent() / 50], ['usage_irq', 'float', 0], ['usage_nice', 'float', 0],
          ['usage_softirq', 'float', percent() / 100], ['usage_steal', 'float', 0],
          ['usage_system', 'float', (100 - idle) / 3], ['usage_user', 'float', ((100 - idle) * 2) / 3],
        ] };
      }
      yield { measurement: 'mem', tags: [['host', host]], ns, fields: [
        ['active', 'int', counter(8e9)], ['available', 'int', counter(8e9)], ['available_percent', 'float', percent()],
        ['buffered', 'int', counter(1e9)], ['cached', 'int', counter(4e9)], ['free', 'int', counter(4e9)],
        ['total', 'int', 8_589_934_592], ['used', 'int', counter(8e9)], ['used_percent', 'float', percent()],
      ] };
      for (const [device, path] of [['sda1', '/'], ['sdb1', '/mnt/backup 2']]) {
        yield { measurement: 'disk', tags: [['device', device], ['fstype', 'ext4'], ['host', host], ['mode', 'rw'], ['path', path]], ns, fields: [
          ['free', 'int', counter(1e11)], ['inodes_free', 'int', counter(1e7)], ['inodes_total', 'int', 13_107_200],
          ['inodes_used', 'int', counter(1e6)], ['total', 'int', 107_374_182_400], ['used', 'int', counter(1e11)],
          ['used_percent', 'float', percent()],
        ] };
      }
      yield { measurement: 'net', tags: [['host', host], ['interface', 'eth0']], ns, fields: [
        ['bytes_recv', 'uint', counter(1e12)], ['bytes_sent', 'uint', counter(1e12)], ['drop_in', 'uint', counter(10)],
        ['drop_out', 'uint', 0], ['err_in', 'uint', 0], ['err_out', 'uint', 0],
        ['packets_recv', 'uint', counter(1e9)], ['packets_sent', 'uint', counter(1e9)],
      ] };
      yield { measurement: 'system', tags: [['host', host]], ns, fields: [
        ['load1', 'float', counter(400) / 100], ['load15', 'float', counter(400) / 100], ['load5', 'float', counter(400) / 100],
        ['n_cpus', 'int', 4], ['n_users', 'int', counter(5)],
      ] };
      yield { measurement: 'system', tags: [['host', host]], ns, fields: [['uptime_format', 'string', `${counter(90)} days, ${counter(24)}:${String(counter(60)).padStart(2, '0')}`]] };
    }
  }
}

const escapeKey = (text) => text.replace(/[, =]/g, (c) => `\\${c}`);
const escapeName = (text) => text.replace(/[, ]/g, (c) => `\\${c}`);
const escapeString = (text) => text.replace(/["\\]/g, (c) => `\\${c}`);
const SUFFIX = { float: '', int: 'i', uint: 'u' };

function lineOf(metric) {
  const tags = metric.tags.map(([key, value]) => `,${escapeKey(key)}=${escapeKey(value)}`).join('');
  const fields = metric.fields
    .map(([key, kind, value]) => `${escapeKey(key)}=${kind === 'string' ? `"${escapeString(value)}"` : `${value}${SUFFIX[kind]}`}`)
    .join(',');
  return `${escapeName(metric.measurement)}${tags} ${fields} ${metric.ns}`;
}

/** The samples SPEC §7 says a metric becomes: independent of the parser's code. */
function samplesOf(metric) {
  const host = metric.tags.find(([key]) => key === 'host')[1];
  const tags = Object.fromEntries(metric.tags.filter(([key]) => key !== 'host'));
  const time = Number(metric.ns / 1_000_000n);
  return metric.fields.map(([key, kind, value]) => {
    const base = { metric: key === 'value' ? metric.measurement : `${metric.measurement}.${key}`, entity: host, tags, time };
    return kind === 'string' ? { ...base, value: null, text: value } : { ...base, value };
  });
}

function makeWorkload() {
  const metrics = [...telegrafMetrics(seededRandom(7))];
  const expected = metrics.flatMap(samplesOf);
  const lineProtocol = `${metrics.map(lineOf).join('\n')}\n`;
  const withIso = expected.map((s) => ({ ...s, time: new Date(s.time).toISOString() }));
  return {
    lines: metrics.length,
    expected,
    bodies: {
      lineProtocol,
      jsonArray: JSON.stringify(expected),
      ndjson: `${expected.map((s) => JSON.stringify(s)).join('\n')}\n`,
      jsonArrayIso: JSON.stringify(withIso),
    },
  };
}

function crossCheck(label, result, expected) {
  if (!result.ok) throw new Error(`cross-check failed: ${label} rejected the batch: ${JSON.stringify(result.errors.slice(0, 3))}`);
  if (result.samples.length !== expected.length) throw new Error(`cross-check failed: ${label} gave ${result.samples.length} samples, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    if (!isDeepStrictEqual({ ...result.samples[i] }, expected[i])) {
      throw new Error(`cross-check failed: ${label} sample #${i}\n  got      ${JSON.stringify(result.samples[i])}\n  expected ${JSON.stringify(expected[i])}`);
    }
  }
}

/** One batch function per subject, from its own source text, so call sites stay monomorphic. */
function makeBatch(parse, body) {
  return new Function('parse', 'body', `return function batch(reps) {
  let n = 0;
  for (let r = 0; r < reps; r++) n += parse(body);
  return n;
};`)(parse, body);
}

export async function run({ quick = false, log = () => {} } = {}) {
  const timing = quick ? { warmupMs: 50, rounds: 3, roundMs: 30 } : DEFAULT_TIMING;
  const workload = makeWorkload();
  const { bodies, expected } = workload;
  const now = Date.UTC(2024, 0, 1);

  const subjects = [
    { id: 'line-protocol', label: 'line protocol (Telegraf batch, ns)', body: bodies.lineProtocol, parse: (body) => parseLineProtocol(body, { now }) },
    { id: 'json-array', label: 'JSON array (time in epoch ms)', body: bodies.jsonArray, parse: (body) => parseSamplesBody(body, 'application/json', { now }) },
    { id: 'ndjson', label: 'NDJSON (time in epoch ms)', body: bodies.ndjson, parse: (body) => parseSamplesBody(body, 'application/x-ndjson', { now }) },
    { id: 'json-array-iso', label: 'JSON array (time as ISO 8601)', body: bodies.jsonArrayIso, parse: (body) => parseSamplesBody(body, 'application/json', { now }) },
  ];
  for (const subject of subjects) {
    crossCheck(subject.label, subject.parse(subject.body), expected);
    log(`${subject.label}: ${expected.length} samples match the expectation`);
  }
  const floor = { id: 'json-parse-only', label: 'JSON.parse alone (same array, no validation)', body: bodies.jsonArray, parse: (body) => ({ ok: true, samples: JSON.parse(body) }) };

  const all = [...subjects, floor];
  const rates = await measureRates(
    all.map((subject) => ({
      batch: makeBatch((body) => {
        const result = subject.parse(body);
        return result.ok ? result.samples.length : -1;
      }, subject.body),
      label: subject.label,
      opsPerRep: expected.length,
      expectedCount: (reps) => reps * expected.length,
    })),
    timing,
  );

  const data = all.map((subject, i) => ({
    id: subject.id,
    label: subject.label,
    samplesPerSecond: rates[i].median,
    megabytesPerSecond: (rates[i].median / expected.length) * Buffer.byteLength(subject.body) / 1e6,
    bodyBytes: Buffer.byteLength(subject.body),
    rate: rates[i],
  }));
  for (const entry of data) log(`  ${entry.label.padEnd(46)} ${formatRate(entry.samplesPerSecond).padStart(8)} samples/s  ${entry.megabytesPerSecond.toFixed(0).padStart(5)} MB/s`);
  return report(data, workload);
}

function report(data, workload) {
  const table = {
    title: `Samples parsed per second (one batch: ${workload.lines} Telegraf lines → ${workload.expected.length} samples; median of rounds)`,
    columns: ['format', 'samples/s', 'MB/s', 'body size'],
    rows: data.map((d) => [d.label, formatRate(d.samplesPerSecond), d.megabytesPerSecond.toFixed(0), `${(d.bodyBytes / 1024).toFixed(0)} KiB`]),
  };
  const byId = Object.fromEntries(data.map((d) => [d.id, d]));
  const targets = [
    { name: 'line protocol samples parsed', value: byId['line-protocol'].samplesPerSecond, target: TARGETS.lineProtocol, unit: '/s' },
    { name: 'JSON array samples parsed', value: byId['json-array'].samplesPerSecond, target: TARGETS.json, unit: '/s' },
    { name: 'NDJSON samples parsed', value: byId.ndjson.samplesPerSecond, target: TARGETS.json, unit: '/s' },
  ].map((t) => ({ ...t, pass: t.value >= t.target }));
  return {
    title,
    legend: [
      'Line protocol: cpu (5 per host), mem, disk (2), net, system inputs of 40 hosts over 2 intervals, floats at full precision, one escaped tag value.',
      'JSON formats carry the same samples; validation is normalizeSample per item (SPEC §1).',
    ],
    notes: ['Single thread, no HTTP: the parse share of POST /api/v1/write and /api/v1/samples.'],
    summary: [table],
    tables: [table],
    targets,
    data: { lines: workload.lines, samples: workload.expected.length, targets: TARGETS, formats: data },
  };
}
