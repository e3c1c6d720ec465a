import { describe, expect, it } from 'vitest';
import { MAX_SERIES_SAMPLES, parseSeriesNotation, parseTestTime, type SeriesNotationOptions } from '../../src/engine/series-notation.js';
import type { Sample } from '../../src/model/sample.js';
import { formatDiagnostic } from '../../src/parser/diagnostics.js';

const MIN = 60_000;

/** `[time, value]` or `[time, null, text]` of each sample, the shape most cases compare. */
function points(input: string, options?: SeriesNotationOptions): Array<[number, number | null] | [number, null, string]> {
  const { samples, diagnostics } = parseSeriesNotation(input, options);
  expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  return samples.map((s) => (s.text === undefined ? [s.time, s.value] : [s.time, null, s.text]));
}

describe('series notation: values and expansions (promtool)', () => {
  it.each<{ input: string; expected: Array<[number, number | null] | [number, null, string]> }>([
    { input: 'cpu 1 2 3', expected: [[0, 1], [MIN, 2], [2 * MIN, 3]] },
    { input: 'cpu 1+0x6', expected: [0, 1, 2, 3, 4, 5, 6].map((i) => [i * MIN, 1]) },
    { input: 'cpu 1x3', expected: [[0, 1], [MIN, 1], [2 * MIN, 1], [3 * MIN, 1]] },
    { input: 'cpu -2+4x3', expected: [[0, -2], [MIN, 2], [2 * MIN, 6], [3 * MIN, 10]] },
    { input: 'cpu 1-1x4', expected: [[0, 1], [MIN, 0], [2 * MIN, -1], [3 * MIN, -2], [4 * MIN, -3]] },
    { input: 'cpu 1-2x4', expected: [[0, 1], [MIN, -1], [2 * MIN, -3], [3 * MIN, -5], [4 * MIN, -7]] },
    { input: 'cpu 1.5+0.5x2', expected: [[0, 1.5], [MIN, 2], [2 * MIN, 2.5]] },
    { input: 'cpu 7x0', expected: [[0, 7]] },
    { input: 'cpu 1 _ 3', expected: [[0, 1], [2 * MIN, 3]] },
    { input: 'cpu 1 _x3 stale 2', expected: [[0, 1], [5 * MIN, 2]] },
    { input: 'cpu 1 STALE 2', expected: [[0, 1], [2 * MIN, 2]] },
    { input: 'cpu null 1 nullx1', expected: [[0, null], [MIN, 1], [2 * MIN, null], [3 * MIN, null]] },
    { input: `cpu 'down' "up"x1`, expected: [[0, null, 'down'], [MIN, null, 'up'], [2 * MIN, null, 'up']] },
    { input: `cpu 'went down' 1`, expected: [[0, null, 'went down'], [MIN, 1]] },
    { input: String.raw`cpu 'it\'s' "a\"b"`, expected: [[0, null, "it's"], [MIN, null, 'a"b']] },
    { input: 'cpu 1e3 .5 Inf -Inf +2 1E-3', expected: [[0, 1000], [MIN, 0.5], [2 * MIN, Infinity], [3 * MIN, -Infinity], [4 * MIN, 2], [5 * MIN, 0.001]] },
  ])('$input', ({ input, expected }) => {
    expect(points(input)).toEqual(expected);
  });
});

describe('series notation: times', () => {
  it.each<{ name: string; input: string; options?: SeriesNotationOptions; expected: Array<[number, number | null]> }>([
    { name: 'value@time as in SPEC §3', input: 'cpu 0@0s 5@60s 5@120s 5@180s 0@240s', expected: [[0, 0], [60_000, 5], [120_000, 5], [180_000, 5], [240_000, 0]] },
    { name: 'terms after @ continue one interval later', input: 'cpu 1 2@5m 3', expected: [[0, 1], [5 * MIN, 2], [6 * MIN, 3]] },
    { name: 'an expansion may start at a time', input: 'cpu 1+1x2@10m', expected: [[10 * MIN, 1], [11 * MIN, 2], [12 * MIN, 3]] },
    { name: 'a missing step may be placed too', input: 'cpu _@3m 4', expected: [[4 * MIN, 4]] },
    { name: 'bare zero time', input: 'cpu 1@0', expected: [[0, 1]] },
    { name: 'compound durations', input: 'cpu 1@1h30m 2@90.5s', expected: [[90_500, 2], [90 * MIN, 1]] },
    { name: 'interval option', input: 'cpu 1 2 3', options: { interval: 10_000 }, expected: [[0, 1], [10_000, 2], [20_000, 3]] },
    { name: 'start option', input: 'cpu 1 2@30s', options: { start: 1_700_000_000_000 }, expected: [[1_700_000_000_000, 1], [1_700_000_030_000, 2]] },
    { name: 'sorted by time by default', input: 'cpu 5@2m 4@1m', expected: [[MIN, 4], [2 * MIN, 5]] },
    { name: "kept as written with order: 'written'", input: 'cpu 5@2m 4@1m', options: { order: 'written' }, expected: [[2 * MIN, 5], [MIN, 4]] },
    { name: 'a repeated time is kept (the window replaces it)', input: 'cpu 1@1m 2@1m', options: { order: 'written' }, expected: [[MIN, 1], [MIN, 2]] },
  ])('$name', ({ input, options, expected }) => {
    expect(points(input, options)).toEqual(expected);
  });
});

describe('series notation: series, entity and tags', () => {
  it('reads the SPEC §3 example', () => {
    const { samples, diagnostics } = parseSeriesNotation('docker.cpu.busy{entity=c1,status=running} 0@0s 5@60s\n');
    expect(diagnostics).toEqual([]);
    expect(samples).toEqual<Sample[]>([
      { metric: 'docker.cpu.busy', entity: 'c1', tags: { status: 'running' }, time: 0, value: 0 },
      { metric: 'docker.cpu.busy', entity: 'c1', tags: { status: 'running' }, time: 60_000, value: 5 },
    ]);
  });

  it.each<{ input: string; options?: SeriesNotationOptions; metric: string; entity: string; tags: Record<string, string> }>([
    { input: 'cpu 1', metric: 'cpu', entity: 'test', tags: {} },
    { input: 'cpu{} 1', metric: 'cpu', entity: 'test', tags: {} },
    { input: 'cpu 1', options: { defaultEntity: 'h0' }, metric: 'cpu', entity: 'h0', tags: {} },
    { input: 'cpu{entity=h1} 1', metric: 'cpu', entity: 'h1', tags: {} },
    { input: `cpu{ entity = "h 1" , path='/var/x', } 1`, metric: 'cpu', entity: 'h 1', tags: { path: '/var/x' } },
    { input: String.raw`cpu{entity=h1,msg="say \"hi\""} 1`, metric: 'cpu', entity: 'h1', tags: { msg: 'say "hi"' } },
    { input: 'disk.used:pct-v2{entity=h1,mount.point=/} 1', metric: 'disk.used:pct-v2', entity: 'h1', tags: { 'mount.point': '/' } },
    { input: '  cpu{entity=h1}\t1', metric: 'cpu', entity: 'h1', tags: {} },
  ])('$input', ({ input, options, metric, entity, tags }) => {
    const { samples, diagnostics } = parseSeriesNotation(input, options);
    expect(diagnostics).toEqual([]);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ metric, entity, tags });
  });

  it('merges several series by time, ties in the order written', () => {
    const { samples } = parseSeriesNotation('# two hosts\n\na{entity=h1} 1 2\r\nb{entity=h2} 3 4 # trailing comment\n');
    expect(samples.map((s) => `${s.metric}@${s.time}=${s.value}`)).toEqual(['a@0=1', 'b@0=3', `a@${MIN}=2`, `b@${MIN}=4`]);
  });
});

describe('series notation: mistakes are positioned diagnostics', () => {
  it.each<{ input: string; options?: SeriesNotationOptions; code: string; line: number; column: number; message: RegExp }>([
    { input: '{entity=h1} 1', code: 'series-metric', line: 1, column: 1, message: /expected a metric name/ },
    { input: '1 2 3', code: 'series-metric', line: 1, column: 1, message: /expected a metric name/ },
    { input: 'cpu{entity=h1}1', code: 'series-metric', line: 1, column: 15, message: /unexpected '1' after the series name/ },
    { input: 'cpu{entity=h1 1 2', code: 'series-label', line: 1, column: 15, message: /expected ',' or '}' after the label 'entity', found '1'/ },
    { input: 'cpu{entity=h1,', code: 'series-label', line: 1, column: 4, message: /'\{' is never closed/ },
    { input: 'cpu{entity!=h1} 1', code: 'series-label', line: 1, column: 11, message: /expected '=' after the label 'entity'/ },
    { input: 'cpu{=h1} 1', code: 'series-label', line: 1, column: 5, message: /expected a label name, found '='/ },
    { input: 'cpu{entity=} 1', code: 'series-label', line: 1, column: 12, message: /expected a value for the label 'entity'/ },
    { input: 'cpu{msg="open} 1', code: 'series-label', line: 1, column: 9, message: /quoted label value is never closed/ },
    { input: 'cpu{entity=h1,entity=h2} 1', code: 'series-duplicate-label', line: 1, column: 15, message: /'entity' is given twice/ },
    { input: 'cpu{entity=""} 1', code: 'series-entity', line: 1, column: 1, message: /entity name is empty/ },
    { input: 'cpu 1', options: { defaultEntity: null }, code: 'series-entity', line: 1, column: 1, message: /names no entity/ },
    { input: 'cpu{entity=h1}', code: 'series-empty', line: 1, column: 1, message: /'cpu' has no values/ },
    { input: 'cpu 1 abc 3', code: 'series-value', line: 1, column: 7, message: /'abc' is not a value/ },
    { input: 'cpu 1info', code: 'series-value', line: 1, column: 6, message: /'1info' is not a value: unexpected 'info'/ },
    { input: 'cpu _y', code: 'series-value', line: 1, column: 5, message: /'_y' is not a value/ },
    { input: 'cpu 1+2', code: 'series-value', line: 1, column: 5, message: /'1\+2' needs a count/ },
    { input: 'cpu 1+x3', code: 'series-value', line: 1, column: 7, message: /expected a number after '\+'/ },
    { input: 'cpu NaN', code: 'series-value', line: 1, column: 5, message: /NaN is not a sample value/ },
    { input: `cpu 1 'open`, code: 'series-value', line: 1, column: 7, message: /quoted text is never closed/ },
    { input: 'cpu 1x', code: 'series-count', line: 1, column: 7, message: /expected a count after 'x'/ },
    { input: `cpu 1x${MAX_SERIES_SAMPLES + 1}`, code: 'series-count', line: 1, column: 7, message: /too many/ },
    { input: 'cpu 1@5', code: 'series-time', line: 1, column: 7, message: /'5' is not a duration/ },
    { input: 'cpu 1@', code: 'series-time', line: 1, column: 7, message: /expected a time after '@'/ },
    { input: 'cpu 1@-5m', code: 'series-time', line: 1, column: 7, message: /'-5m' is not a duration/ },
    { input: 'cpu 1 2\n\n  cpu 1 foo', code: 'series-value', line: 3, column: 9, message: /'foo' is not a value/ },
  ])('$input → $code at $line:$column', ({ input, options, code, line, column, message }) => {
    const { diagnostics } = parseSeriesNotation(input, options);
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d).toMatchObject({ code, line, column, severity: 'error' });
    expect(d!.message).toMatch(message);
    expect(d!.hint).toBeTruthy();
  });

  it('reports every mistake, in text order, and keeps going after a bad value', () => {
    const { samples, diagnostics } = parseSeriesNotation('cpu 1 a 2 b\nmem{entity=} 1\ndisk 3');
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual(['1:7 series-value', '1:11 series-value', '2:12 series-label']);
    expect(samples.map((s) => `${s.metric}=${s.value}`)).toEqual(['cpu=1', 'disk=3', 'cpu=2']);
  });

  it('underlines the whole bad term', () => {
    const [d] = parseSeriesNotation('cpu 1 oops 3').diagnostics;
    expect(formatDiagnostic(d!)).toBe(
      [
        "<expression>:1:7 error: 'oops' is not a value",
        '  cpu 1 oops 3',
        '        ^^^^',
        "  hint: a value is a number (1, -2.5, 1e3, Inf), a+bxN, a-bxN, axN, '_' (no sample), 'null' or a quoted text, optionally followed by @<time> such as @90s",
      ].join('\n'),
    );
  });

  it('points into the rule file when given the origin of the input block', () => {
    const file = 'tests:\n  - name: t\n    input: |\n      cpu{entity=h1} 1 oops\n';
    const input = 'cpu{entity=h1} 1 oops\n';
    const base = file.indexOf(input);
    const [d] = parseSeriesNotation(input, { origin: { file: 'rules/cpu.yaml', text: file, mapOffset: (o) => o + base } }).diagnostics;
    expect(d).toMatchObject({ file: 'rules/cpu.yaml', line: 4, column: 24, length: 4, sourceLine: '      cpu{entity=h1} 1 oops' });
  });
});

describe('parseTestTime: the at: of an expectation', () => {
  it.each<{ text: string; ms: number }>([
    { text: '180s', ms: 180_000 },
    { text: '240s+5m', ms: 540_000 },
    { text: '5m', ms: 300_000 },
    { text: '1h30m', ms: 5_400_000 },
    { text: '0', ms: 0 },
    { text: ' 1m + 30s ', ms: 90_000 },
    { text: '1.5m', ms: 90_000 },
    { text: '1 minute+2s', ms: 62_000 },
  ])('$text → $ms ms', ({ text, ms }) => {
    expect(parseTestTime(text)).toEqual({ ok: true, ms });
  });

  it.each<{ text: string; column: number; length: number; message: RegExp; hint: RegExp }>([
    { text: '180', column: 1, length: 3, message: /'180' is not a duration/, hint: /add a unit, e.g. '180s'/ },
    { text: '5m+', column: 4, length: 1, message: /missing duration/, hint: /240s\+5m/ },
    { text: '5m + abc', column: 6, length: 3, message: /'abc' is not a duration/, hint: /duration such as 180s/ },
    { text: '', column: 1, length: 1, message: /missing duration/, hint: /duration/ },
    { text: '-5m', column: 1, length: 3, message: /'-5m' is not a duration/, hint: /duration/ },
  ])('$text → error at column $column', ({ text, column, length, message, hint }) => {
    const result = parseTestTime(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostic).toMatchObject({ code: 'test-time', line: 1, column, length });
    expect(result.diagnostic.message).toMatch(message);
    expect(result.diagnostic.hint).toMatch(hint);
  });
});
