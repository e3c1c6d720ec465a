/**
 * Replay (issue 12 item 8): what `tocsin replay` costs over the bare parse of the same file.
 *
 * Workload: bench/replay/workload.js writes a fleet's NDJSON export (2,000 hosts × 500 intervals of
 * 10 s, ~981 k samples, ISO times with milliseconds, ~110 MB) twice: in time order and grouped by
 * series (host after host, as an export per series is). Two rule sets: A, `value > 80` with
 * `for: 1m` (THRESHOLD_RULES); B, the same plus a `no_data: 5m` watch (FLEET_RULES), so alerts open,
 * cancel and go silent, and every sample re-arms a timer.
 *
 * Subjects, run in the same process, round-robin (a load change hits all alike), median of rounds:
 *  - bare parse: the file read in 4 MiB chunks of whole lines and parsed by the ingestion NDJSON
 *    parser (`parseSamplesBody`: JSON.parse + normalizeSample per line), samples counted and dropped;
 *  - replay with rules A, and with rules B: `runReplay` on the time-ordered file, events to a
 *    file, exactly as the CLI runs it;
 *  - replay of the grouped file with rules B: the same, sorted in memory first.
 * Targets: replay ÷ bare parse ≤ 2 on the time-ordered file, for each rule set (wall time of the
 * same rounds). With rules B the engine's own share is large (its timer work per sample, issue 12
 * item 3), which replay cannot make cheaper.
 * Cross-check: the bare parse counts every sample; every replay replays every sample; the grouped
 * replay writes the same events as the time-ordered one with the same rules, byte for byte, in every
 * round, and each replay writes the same events in every round.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSamplesBody } from '../dist/server/ingest/index.js';
import { runReplay as currentReplay } from '../dist/cli/commands/replay.js';
import { formatRate, formatRatio } from './lib/format.js';
import { median } from './lib/measure.js';
import { FLEET_RULES, THRESHOLD_RULES, writeFleetFile } from './replay/workload.js';

export const title = 'Replay';

const TARGETS = { replayOverParse: 2 };
const CHUNK = 4 << 20;

/** The ingestion parser over the file, one chunk of whole lines at a time; returns the sample count. */
function bareParse(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK);
  let rest = Buffer.alloc(0);
  let samples = 0;
  const limits = { maxBatchLines: Number.MAX_SAFE_INTEGER, maxLineLength: Number.MAX_SAFE_INTEGER };
  const parse = (bytes) => {
    const result = parseSamplesBody(bytes.toString('utf8'), 'application/x-ndjson', { limits });
    if (!result.ok) throw new Error(`cross-check failed: the bare parse rejected the file: ${JSON.stringify(result.errors[0])}`);
    samples += result.samples.length;
  };
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      const data = rest.length > 0 ? Buffer.concat([rest, buffer.subarray(0, n)]) : buffer.subarray(0, n);
      const cut = data.lastIndexOf(10) + 1;
      if (cut > 0) parse(data.subarray(0, cut));
      rest = Buffer.from(data.subarray(cut));
    }
    if (rest.length > 0) parse(rest);
  } finally {
    closeSync(fd);
  }
  return samples;
}

async function replayOnce(runReplay, rules, input, out) {
  let stdout = '';
  let stderr = '';
  const code = await runReplay({ rules, input, out }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false });
  if (code !== 0) throw new Error(`cross-check failed: replay of ${input} exited ${code}: ${stderr.slice(0, 500)}`);
  const replayed = /(\d+) samples replayed/.exec(stdout);
  return { samples: replayed ? Number(replayed[1]) : -1, events: readFileSync(out, 'utf8') };
}

/**
 * Wall time, and the CPU time of the main thread (process.threadCpuUsage): on a shared machine
 * the wall time of a round also counts the time other processes held the core, the thread's CPU
 * time does not (GC helper threads are left out of both rows alike).
 */
const timed = async (fn) => {
  const cpu = process.threadCpuUsage();
  const start = process.hrtime.bigint();
  const value = await fn();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.threadCpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1e3 };
};

/**
 * Times the subjects; `runReplay` may be another build's (a before/after comparison, where
 * `sameEvents: false` lets an old build's wrong events for the grouped file pass).
 * @returns per subject: { id, label, wallMs[], cpuMs[] }
 */
export async function measureReplay({ runReplay = currentReplay, quick = false, log = () => {}, hosts, intervals, sameEvents = true } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-replay-'));
  try {
    const rulesA = join(dir, 'rules-a');
    const rulesB = join(dir, 'rules-b');
    mkdirSync(rulesA);
    mkdirSync(rulesB);
    writeFileSync(join(rulesA, 'fleet.yaml'), THRESHOLD_RULES);
    writeFileSync(join(rulesB, 'fleet.yaml'), FLEET_RULES);
    const shape = { hosts: hosts ?? (quick ? 400 : 2_000), intervals: intervals ?? 500 };
    const ordered = join(dir, 'by-time.ndjson');
    const grouped = join(dir, 'by-series.ndjson');
    const samples = writeFleetFile(ordered, { ...shape, order: 'time' });
    writeFleetFile(grouped, { ...shape, order: 'series' });
    log(`  ${samples} samples, ${shape.hosts} hosts × ${shape.intervals} intervals`);
    const reference = {};
    const checkReplay = ({ samples: replayed, events }, label, rules, strict) => {
      if (replayed !== samples) throw new Error(`cross-check failed: ${label} replayed ${replayed} of ${samples} samples`);
      reference[rules] ??= events;
      if (strict && events !== reference[rules]) throw new Error(`cross-check failed: ${label} wrote other events than the time-ordered replay with the same rules`);
      return replayed;
    };
    const subjects = [
      { id: 'bare-parse', label: 'bare NDJSON parse (ingestion parser)', run: () => bareParse(ordered), check: (n) => {
        if (n !== samples) throw new Error(`cross-check failed: the bare parse gave ${n} of ${samples} samples`);
      } },
      { id: 'replay', label: 'tocsin replay, rules A, file in time order', run: () => replayOnce(runReplay, rulesA, ordered, join(dir, 'events-a.ndjson')), check: (r) => checkReplay(r, 'the replay with rules A', 'a', true) },
      { id: 'replay-no-data', label: 'tocsin replay, rules B, file in time order', run: () => replayOnce(runReplay, rulesB, ordered, join(dir, 'events-b.ndjson')), check: (r) => checkReplay(r, 'the replay with rules B', 'b', true) },
      { id: 'replay-grouped', label: 'tocsin replay, rules B, file grouped by series', run: () => replayOnce(runReplay, rulesB, grouped, join(dir, 'events-c.ndjson')), check: (r) => checkReplay(r, 'the grouped replay', 'b', sameEvents) },
    ];
    const results = subjects.map((s) => ({ id: s.id, label: s.label, wallMs: [], cpuMs: [] }));
    const rounds = quick ? 2 : 5;
    // Round 0 warms up (JIT, page cache) and is not kept.
    for (let round = 0; round <= rounds; round++) {
      for (let i = 0; i < subjects.length; i++) {
        const { value, wallMs, cpuMs } = await timed(subjects[i].run);
        subjects[i].check(value);
        if (round > 0) {
          results[i].wallMs.push(wallMs);
          results[i].cpuMs.push(cpuMs);
        }
      }
      if (round > 0) log(`  round ${round}: ${results.map((r) => `${r.id} ${r.wallMs.at(-1).toFixed(0)} ms`).join(', ')}`);
    }
    return { samples, fileBytes: Buffer.byteLength(readFileSync(ordered)), shape, results };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ quick = false, log = () => {} } = {}) {
  const measured = await measureReplay({ quick, log });
  const byId = Object.fromEntries(measured.results.map((r) => [r.id, r]));
  const bare = median(byId['bare-parse'].wallMs);
  const bareCpu = median(byId['bare-parse'].cpuMs);
  const rows = measured.results.map((r) => {
    const wall = median(r.wallMs);
    return {
      id: r.id, label: r.label, wallMs: wall, cpuMs: median(r.cpuMs), samplesPerSecond: (measured.samples * 1000) / wall,
      overParse: wall / bare,
      cpuOverParse: median(r.cpuMs) / bareCpu,
      // Per round, so the spread of the ratio shows too.
      overParseByRound: r.wallMs.map((ms, i) => ms / byId['bare-parse'].wallMs[i]),
    };
  });
  const table = {
    title: `Replay against the bare parse of the same file (${measured.samples.toLocaleString('en')} samples, ${(measured.fileBytes / 1e6).toFixed(0)} MB; median of ${byId.replay.wallMs.length} interleaved rounds)`,
    columns: ['subject', 'wall time', 'main-thread CPU', 'samples/s', '÷ bare parse (wall)', '÷ bare parse (CPU)'],
    rows: rows.map((r) => [r.label, `${(r.wallMs / 1000).toFixed(2)} s`, `${(r.cpuMs / 1000).toFixed(2)} s`, formatRate(r.samplesPerSecond), formatRatio(r.overParse), formatRatio(r.cpuOverParse)]),
  };
  const target = (id, name) => {
    const row = rows.find((r) => r.id === id);
    return { name, value: row.overParse, target: TARGETS.replayOverParse, unit: '×', atMost: true, pass: row.overParse <= TARGETS.replayOverParse };
  };
  const targets = [
    target('replay', 'replay ÷ bare NDJSON parse of the same file, rules A (value > 80, for 1m)'),
    target('replay-no-data', 'replay ÷ bare NDJSON parse of the same file, rules B (A + no_data 5m)'),
  ];
  return {
    title,
    legend: [
      `Workload: ${measured.shape.hosts} hosts × ${measured.shape.intervals} intervals of cpu.usage (10 s apart, ISO times); rules A: \`value > 80\` for 1m; rules B: A and \`no_data: 5m\` (bench/replay/workload.js).`,
      'Bare parse: the ingestion NDJSON parser (JSON.parse + normalizeSample per line) over the file in 4 MiB chunks, samples dropped. Replay: runReplay as the CLI runs it, events to a file; the grouped file is sorted in memory first.',
    ],
    notes: [
      'Cross-checked: every sample parsed and replayed; the grouped file gave the same events as the time-ordered one; every replay wrote the same events in every round.',
      'Main-thread CPU (process.threadCpuUsage) leaves out the time other processes held the core; on a busy machine its ratio is the steadier one.',
    ],
    summary: [table],
    tables: [table],
    targets,
    data: { targets: TARGETS, samples: measured.samples, fileBytes: measured.fileBytes, shape: measured.shape, subjects: rows },
  };
}
