import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay, type ReplayOptions } from '../../../src/cli/commands/replay.js';
import { main } from '../../../src/cli/main.js';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

const RULES = `rules:
  - name: cpu-high
    metric: cpu
    window: length(1)
    condition: value > 80
    for: 2m
  - name: cpu-silent
    metric: cpu
    window: length(1)
    condition: value > 1000
    no_data: 5m
`;

interface ReplayEvent {
  type: string;
  time: string;
  data: { rule: string; entity: { name: string } };
}

const START = Date.UTC(2026, 0, 5);
const at = (minute: number) => new Date(START + minute * 60_000).toISOString();
/** The start of replay's error for a line whose time is earlier than an earlier line's. */
const earlier = (input: string, line: number, minute: number, latestLine: number, latestMinute: number) =>
  `error: ${input}:${line}: the time ${at(minute)} is earlier than ${at(latestMinute)} on line ${latestLine}`;
const line = (entity: string, minute: number, value: number) =>
  `{"metric":"cpu","entity":"${entity}","time":"${at(minute)}","value":${value}}`;

/** web-1 reports every minute for 20 minutes, hot from 3m to 10m; web-2 reports until 6m and then falls silent. */
function samplesBySeries(): string[][] {
  const web1 = Array.from({ length: 21 }, (_, m) => line('web-1', m, m >= 3 && m <= 10 ? 95 : 40));
  const web2 = Array.from({ length: 7 }, (_, m) => line('web-2', m, 30));
  return [web1, web2];
}

function timeSorted(groups: string[][]): string[] {
  const all = groups.flat().map((text, i) => ({ text, i, time: Date.parse(JSON.parse(text).time as string) }));
  return all.sort((a, b) => a.time - b.time || a.i - b.i).map((s) => s.text);
}

describe('tocsin replay: input order', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-replay-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'cpu.yaml'), RULES);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function replay(name: string, lines: string[], extra: Partial<ReplayOptions> = {}) {
    const input = join(dir, `${name}.ndjson`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const out = join(dir, `${name}.events.ndjson`);
    const { out: text, io } = capture();
    const code = await runReplay({ rules: join(dir, 'rules'), input, out, ...extra }, io);
    const events = existsSync(out)
      ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ReplayEvent)
      : null;
    return { code, events, stdout: text.stdout, stderr: text.stderr, input, out };
  }

  const brief = (events: ReplayEvent[]) =>
    events.map((e) => `${e.time} ${e.data.rule} ${e.data.entity.name} ${e.type}`);

  it('replays a file in time order: the for completes at 5m, the silent series gets no data at 11m', async () => {
    const sorted = await replay('sorted', timeSorted(samplesBySeries()));
    expect(sorted.code).toBe(0);
    // Sorted: the order of events at one instant is the engine's business (issue 12 item 7), not replay's.
    expect(brief(sorted.events!).sort()).toEqual([
      `${at(5)} cpu-high web-1 alert.open`,
      `${at(11)} cpu-high web-1 alert.cancel`,
      `${at(11)} cpu-silent web-2 alert.nodata`,
    ]);
  });

  it('gives a file grouped by series (an export per series) the same events as the time-sorted file', async () => {
    const groups = samplesBySeries();
    const sorted = await replay('sorted', timeSorted(groups));
    const grouped = await replay('grouped', groups.flat());
    expect(grouped.code).toBe(0);
    expect(grouped.events).toEqual(sorted.events);
    expect(grouped.stdout).toContain('sorted by time in memory');
  });

  it('keeps the file order of samples with the same time (a stable sort)', async () => {
    const lines = [line('web-1', 1, 95), line('web-1', 0, 40), line('web-1', 1, 10)];
    // Same series, same time: the later line replaces the earlier one, so 10 wins and nothing opens.
    const result = await replay('same-time', lines);
    expect(result.code).toBe(0);
    expect(result.events).toEqual([]);
  });

  it('with --no-sort refuses the first line older than the one before it, and writes no events file', async () => {
    const groups = samplesBySeries();
    const result = await replay('grouped', groups.flat(), { sort: false });
    expect(result.code).toBe(1);
    // web-2's first sample (line 22) is 20 minutes older than web-1's last (line 21).
    expect(result.stderr).toContain(earlier(result.input, 22, 0, 21, 20));
    expect(result.stderr).toContain('hint: ');
    expect(result.stderr).toContain('without --no-sort');
    expect(existsSync(result.out)).toBe(false);
  });

  it('beyond --sort-limit refuses an unsorted file, naming the line and how to sort it first', async () => {
    const groups = samplesBySeries();
    const result = await replay('grouped', groups.flat(), { sortLimit: 10 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(earlier(result.input, 22, 0, 21, 20));
    expect(result.stderr).toContain('more than 10 samples');
    // The time is the 12th '"'-separated field of these lines: {"metric":"cpu","entity":"web-1","time":"…
    expect(result.stderr).toContain(`sort -s -t'"' -k12,12 ${result.input}`);
    expect(result.stderr).toContain('--sort-limit');
    expect(existsSync(result.out)).toBe(false);
  });

  it('streams a file in time order beyond --sort-limit, with the same events', async () => {
    const lines = timeSorted(samplesBySeries());
    const small = await replay('sorted-small-limit', lines, { sortLimit: 5 });
    const whole = await replay('sorted', lines);
    expect(small.code).toBe(0);
    expect(small.events).toEqual(whole.events);
  });

  it('beyond --sort-limit, refuses a line out of order after the first limit samples were in order', async () => {
    const lines = [...timeSorted(samplesBySeries()), line('web-3', 2, 50)];
    const result = await replay('late', lines, { sortLimit: 5 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(earlier(result.input, 29, 2, 28, 20));
    expect(existsSync(result.out)).toBe(false);
  });
});

describe('tocsin replay: input order, events on standard output', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-replay-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'cpu.yaml'), RULES);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function replayToStdout(name: string, lines: string[], extra: Partial<ReplayOptions> = {}) {
    const input = join(dir, `${name}.ndjson`);
    writeFileSync(input, `${lines.join('\n')}\n`);
    const { out, io } = capture();
    const code = await runReplay({ rules: join(dir, 'rules'), input, ...extra }, io);
    return { code, stdout: out.stdout, stderr: out.stderr, input };
  }

  it('sorts a grouped file before printing anything: the same events as the time-sorted file', async () => {
    const groups = samplesBySeries();
    const sorted = await replayToStdout('sorted', timeSorted(groups));
    const grouped = await replayToStdout('grouped', groups.flat());
    expect(sorted.code).toBe(0);
    expect(grouped.code).toBe(0);
    expect(grouped.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    expect(grouped.stdout).toBe(sorted.stdout);
    expect(grouped.stderr).toContain('sorted by time in memory');
    expect(grouped.stderr).toContain('4 series live at the end (summed over the rules)'); // 2 entities × 2 rules
  });

  it('with --no-sort prints the first out-of-order line and exits 1', async () => {
    const result = await replayToStdout('grouped', samplesBySeries().flat(), { sort: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(earlier(result.input, 22, 0, 21, 20));
  });
});

describe('tocsin replay: the order options on the command line', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-replay-'));
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'cpu.yaml'), RULES);
    writeFileSync(join(dir, 'grouped.ndjson'), `${samplesBySeries().flat().join('\n')}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const args = (...extra: string[]) =>
    ['node', 'tocsin', 'replay', '--rules', join(dir, 'rules'), '--input', join(dir, 'grouped.ndjson'), ...extra];

  it('--no-sort refuses the grouped file, --sort-limit 10 too, and the default sorts it', async () => {
    const noSort = capture();
    expect(await main(args('--no-sort'), noSort.io)).toBe(1);
    expect(noSort.out.stderr).toContain(':22: the time');
    const limited = capture();
    expect(await main(args('--sort-limit', '10', '--out', join(dir, 'events.ndjson')), limited.io)).toBe(1);
    expect(limited.out.stderr).toContain('more than 10 samples (--sort-limit)');
    const sorted = capture();
    expect(await main(args('--out', join(dir, 'events.ndjson')), sorted.io)).toBe(0);
    expect(sorted.out.stdout).toContain('28 samples were sorted by time in memory');
  });

  it('exits 2 when --sort-limit is not a whole number', async () => {
    const result = capture();
    expect(await main(args('--sort-limit', 'lots'), result.io)).toBe(2);
    expect(result.out.stderr).toContain('error: --sort-limit must be a whole number of samples');
  });
});
