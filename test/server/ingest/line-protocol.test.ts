import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/model/sample.js';
import { formatIngestErrors, type IngestError, type IngestResult } from '../../../src/server/ingest/errors.js';
import { parseLineProtocol, type LineProtocolOptions } from '../../../src/server/ingest/line-protocol.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
const T = 1_700_000_000_000; // 2023-11-14T22:13:20Z in ms

function samples(body: string, options: Partial<LineProtocolOptions> = {}): Sample[] {
  const result = parseLineProtocol(body, { now: NOW, ...options });
  if (!result.ok) throw new Error(`expected samples, got errors:\n${JSON.stringify(result.errors, null, 2)}`);
  return result.samples;
}

function errors(body: string, options: Partial<LineProtocolOptions> = {}): IngestError[] {
  const result: IngestResult = parseLineProtocol(body, { now: NOW, ...options });
  if (result.ok) throw new Error(`expected errors, got samples:\n${JSON.stringify(result.samples, null, 2)}`);
  return result.errors;
}

const one = (body: string, options: Partial<LineProtocolOptions> = {}): Sample => {
  const list = samples(body, options);
  expect(list).toHaveLength(1);
  return list[0]!;
};

describe('Telegraf lines become samples (SPEC §7 mapping)', () => {
  it('maps a cpu line: one sample per field, metric = measurement.field, entity = host, other tags kept', () => {
    expect(samples('cpu,host=h1,cpu=cpu0 usage_idle=98.2,usage_user=1.1 1700000000000000000')).toEqual([
      { metric: 'cpu.usage_idle', entity: 'h1', tags: { cpu: 'cpu0' }, time: T, value: 98.2 },
      { metric: 'cpu.usage_user', entity: 'h1', tags: { cpu: 'cpu0' }, time: T, value: 1.1 },
    ]);
  });

  it('names the metric after the measurement alone for a field called value', () => {
    expect(one('temperature,host=h1 value=21.5 1700000000000000000').metric).toBe('temperature');
  });

  it('prefers the entity tag and keeps host as a tag then', () => {
    expect(one('cpu,entity=db1,host=collector,dc=eu usage=1 1700000000000000000')).toEqual(
      { metric: 'cpu.usage', entity: 'db1', tags: { dc: 'eu', host: 'collector' }, time: T, value: 1 },
    );
    // Order of the tags in the line does not matter.
    expect(one('cpu,host=collector,entity=db1 usage=1 1700000000000000000').entity).toBe('db1');
  });

  it('uses host as the entity and does not repeat it as a tag', () => {
    expect(one('mem,host=web1 used=5i').tags).toEqual({});
  });

  it('reports a line with neither entity nor host tag', () => {
    expect(errors('cpu,cpu=cpu0 usage=1 1700000000000000000')).toEqual([{
      code: 'missing-entity', line: 1, column: 1, field: 'entity', message: 'the line names no entity',
      hint: "add an 'entity' or 'host' tag; Telegraf adds host unless omit_hostname is set",
    }]);
  });

  it('keeps a string field as a sample with value null and text', () => {
    expect(one('system,host=h1 uptime_format="5 days,  3:02" 1700000000000000000')).toEqual(
      { metric: 'system.uptime_format', entity: 'h1', tags: {}, time: T, value: null, text: '5 days,  3:02' },
    );
  });

  it('applies the value rule to string fields too', () => {
    expect(one('status,host=h1 value="down"')).toMatchObject({ metric: 'status', value: null, text: 'down' });
  });

  it('reads a realistic Telegraf batch', () => {
    const body = [
      'cpu,cpu=cpu-total,host=web1 usage_guest=0,usage_idle=97.5,usage_iowait=0.25,usage_system=1.0025 1700000000000000000',
      'mem,host=web1 active=1234567i,available_percent=61.2,total=8589934592i 1700000000000000000',
      'net,host=web1,interface=eth0 bytes_recv=123456789u,err_in=0u 1700000000000000000',
      'system,host=web1 load1=0.5,n_cpus=4i,uptime_format="1 day,  2:03" 1700000000000000000',
      '',
    ].join('\n');
    const list = samples(body);
    expect(list.map((s) => `${s.metric}=${s.value ?? s.text}`)).toEqual([
      'cpu.usage_guest=0', 'cpu.usage_idle=97.5', 'cpu.usage_iowait=0.25', 'cpu.usage_system=1.0025',
      'mem.active=1234567', 'mem.available_percent=61.2', 'mem.total=8589934592',
      'net.bytes_recv=123456789', 'net.err_in=0',
      'system.load1=0.5', 'system.n_cpus=4', 'system.uptime_format=1 day,  2:03',
    ]);
    expect(new Set(list.map((s) => s.entity))).toEqual(new Set(['web1']));
    expect(list[0]!.tags).toEqual({ cpu: 'cpu-total' });
    expect(list[7]!.tags).toEqual({ interface: 'eth0' });
  });
});

describe('field types', () => {
  it.each<[string, string, number]>([
    ['float with a decimal point', 'x=1.5', 1.5],
    ['float without a decimal point', 'x=1', 1],
    ['negative float', 'x=-0.25', -0.25],
    ['float starting with a dot', 'x=.5', 0.5],
    ['float ending with a dot', 'x=7.', 7],
    ['exponent', 'x=1e3', 1000],
    ['exponent with sign and capital E', 'x=-6.02E+23', -6.02e23],
    ['negative exponent', 'x=25e-2', 0.25],
    ['many digits (beyond the fast path)', 'x=0.1234567890123456789', 0.1234567890123456789],
    ['integer', 'x=5i', 5],
    ['negative integer', 'x=-42i', -42],
    ['int64 maximum (nearest double)', 'x=9223372036854775807i', Number('9223372036854775807')],
    ['int64 minimum (nearest double)', 'x=-9223372036854775808i', Number('-9223372036854775808')],
    ['unsigned', 'x=5u', 5],
    ['uint64 maximum (nearest double)', 'x=18446744073709551615u', Number('18446744073709551615')],
    ['leading zeros', 'x=007i', 7],
    ...['t', 'T', 'true', 'True', 'TRUE'].map((b): [string, string, number] => [`boolean ${b}`, `x=${b}`, 1]),
    ...['f', 'F', 'false', 'False', 'FALSE'].map((b): [string, string, number] => [`boolean ${b}`, `x=${b}`, 0]),
  ])('%s: %s', (_name, field, value) => {
    expect(one(`m,host=h ${field}`).value).toBe(value);
  });

  it('parses floats exactly as Number() does', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(one(`m,host=h x=${x}`).value).toBe(Number(String(x)));
    }));
    for (const text of ['0.1', '98.2', '1.0025', '123456789012345', '1234567890123456', '0.000001', '4.35', '-1.1']) {
      expect(one(`m,host=h x=${text}`).value).toBe(Number(text));
    }
  });

  it.each([
    ['a bare word', 'x=abc', 'bad-field-value'],
    ['an unquoted string with a quote inside', 'x=a"b', 'bad-field-value'],
    ['a plus sign', 'x=+5', 'bad-field-value'],
    ['a float with the i suffix', 'x=1.5i', 'bad-field-value'],
    ['a signed unsigned', 'x=-5u', 'bad-field-value'],
    ['a lone i', 'x=i', 'bad-field-value'],
    ['two dots', 'x=1.2.3', 'bad-field-value'],
    ['an exponent without digits', 'x=1e', 'bad-field-value'],
    ['a misspelt boolean', 'x=tru', 'bad-field-value'],
    ['inf', 'x=inf', 'bad-field-value'],
    ['NaN', 'x=NaN', 'bad-field-value'],
    ['-Inf', 'x=-Inf', 'bad-field-value'],
    ['an empty value', 'x=', 'bad-field-value'],
    ['an empty value before a comma', 'x=,y=1', 'bad-field-value'],
    ['an integer beyond int64', 'x=9223372036854775808i', 'out-of-range'],
    ['a negative integer beyond int64', 'x=-9223372036854775809i', 'out-of-range'],
    ['an unsigned beyond uint64', 'x=18446744073709551616u', 'out-of-range'],
    ['a float beyond double', 'x=1e400', 'out-of-range'],
    ['a prototype property name as a value', 'x=constructor', 'bad-field-value'],
  ])('rejects %s (%s)', (_name, field, code) => {
    const [error] = errors(`m,host=h ${field}`);
    expect(error).toMatchObject({ code, line: 1, column: 'm,host=h x='.length + 1, field: 'x' });
  });
});

describe('escaping (InfluxDB line protocol reference)', () => {
  it.each([
    ['comma and space in a measurement', 'my\\,meas\\ ure,host=h x=1', { metric: 'my,meas ure.x' }],
    ['equals sign needs no escape in a measurement', 'a=b,host=h x=1', { metric: 'a=b.x' }],
    ['other backslashes in a measurement stay', 'c:\\dir,host=h x=1', { metric: 'c:\\dir.x' }],
    ['escaped equals in a measurement stays literal', 'a\\=b,host=h x=1', { metric: 'a\\=b.x' }],
    ['comma, equals and space in tag keys and values', 'm,host=h,k\\,e\\=y\\ =v\\,a\\=l\\ ue x=1', { tags: { 'k,e=y ': 'v,a=l ue' } }],
    ['escaped space in the entity', 'm,host=server\\ 01 x=1', { entity: 'server 01' }],
    ['unescaped equals inside a tag value', 'm,host=h,q=a=b x=1', { tags: { q: 'a=b' } }],
    ['comma, equals and space in a field key', 'm,host=h f\\,i\\=e\\ ld=1', { metric: 'm.f,i=e ld' }],
    ['backslash before a normal character in a tag', 'm,host=h,path=C:\\temp x=1', { tags: { path: 'C:\\temp' } }],
    ['double backslash then escaped space', 'm,host=h,t=a\\\\ b x=1', { tags: { t: 'a\\ b' } }],
    ['non-ASCII names', 'température,host=hôte,pièce=cuisine valeur=1', { metric: 'température.valeur', entity: 'hôte', tags: { pièce: 'cuisine' } }],
    ['a __proto__ tag stays a plain tag', 'm,host=h,__proto__=x y=1', { tags: JSON.parse('{"__proto__":"x"}') as Record<string, string> }],
  ])('%s', (_name, line, expected) => {
    expect(one(line)).toMatchObject(expected);
  });

  it.each([
    ['escaped double quote', String.raw`s="say \"hi\""`, 'say "hi"'],
    ['escaped backslash', String.raw`s="C:\\temp"`, 'C:\\temp'],
    ['backslash before another character stays', String.raw`s="a\b"`, 'a\\b'],
    ['Telegraf escapes for control characters', String.raw`s="a\nb\tc\rd\fe"`, 'a\nb\tc\rd\fe'],
    ['commas, spaces and equals need no escape', 's="a, b = c"', 'a, b = c'],
    ['empty string', 's=""', ''],
    ['a string with # inside', 's="#1"', '#1'],
    ['escaped backslash before the closing quote', String.raw`s="end\\"`, 'end\\'],
  ])('string value: %s', (_name, field, text) => {
    expect(one(`m,host=h ${field}`).text).toBe(text);
  });

  it('reports an unterminated string at its opening quote', () => {
    expect(errors('m,host=h s="abc\\"')).toMatchObject([{ code: 'bad-field-value', line: 1, column: 12, field: 's' }]);
    // A raw line break ends the line: strings cannot span lines.
    expect(errors('m,host=h s="two\nlines" 1').map((e) => e.line)).toEqual([1, 2]);
  });
});

// Conversion tests over the whole int64 range: the accepted span around now is tested on its own.
const ANY_TIME = { limits: { maxSampleAgeMs: Infinity, maxSampleFutureMs: Infinity } };

describe('timestamps and precision', () => {
  it.each([
    ['ns', '1700000000123456789', T + 123],
    ['us', '1700000000123456', T + 123],
    ['ms', '1700000000123', T + 123],
    ['s', '1700000000', T],
  ] as const)('precision %s', (precision, stamp, time) => {
    expect(one(`m,host=h x=1 ${stamp}`, { precision }).time).toBe(time);
  });

  it('defaults to nanoseconds', () => {
    expect(one('m,host=h x=1 1700000000000000000').time).toBe(T);
  });

  it('converts every 19-digit nanosecond value exactly (no float rounding)', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1_000_000_000_000_000_000n, max: 9_223_372_036_854_775_806n }), (ns) => {
      expect(one(`m,host=h x=1 ${ns}`, ANY_TIME).time).toBe(Number(ns / 1_000_000n));
    }));
    // Through a double, 1700000000123999999 ns would become 1700000000124000000 and round up.
    expect(one('m,host=h x=1 1700000000123999999').time).toBe(1700000000123);
    expect(one('m,host=h x=1 9223372036854775806', ANY_TIME).time).toBe(9223372036854);
  });

  it('floors sub-millisecond remainders, also before 1970', () => {
    expect(one('m,host=h x=1 999999', ANY_TIME).time).toBe(0);
    expect(one('m,host=h x=1 -1', ANY_TIME).time).toBe(-1);
    expect(one('m,host=h x=1 -1000000', ANY_TIME).time).toBe(-1);
    expect(one('m,host=h x=1 -1000001', ANY_TIME).time).toBe(-2);
    expect(one('m,host=h x=1 -1500', { ...ANY_TIME, precision: 'us' }).time).toBe(-2);
    expect(one('m,host=h x=1 -5', { ...ANY_TIME, precision: 's' }).time).toBe(-5000);
    expect(Object.is(one('m,host=h x=1 -0', ANY_TIME).time, 0)).toBe(true);
  });

  it('accepts leading zeros', () => {
    expect(one('m,host=h x=1 0000000000000000000', ANY_TIME).time).toBe(0);
  });

  it('uses now for lines without a timestamp, truncated to seconds for precision s as InfluxDB does', () => {
    expect(one('m,host=h x=1').time).toBe(NOW);
    expect(one('m,host=h x=1   ').time).toBe(NOW);
    expect(one('m,host=h x=1', { precision: 's' }).time).toBe(NOW - 123);
  });

  it.each([
    ['ns', '9223372036854775807'],
    ['ns', '-9223372036854775807'],
    ['ns', '99999999999999999999'],
    ['us', '9223372036854776'],
    ['ms', '9223372036855'],
    ['s', '9223372037'],
  ] as const)('rejects a timestamp out of range for %s: %s', (precision, stamp) => {
    expect(errors(`m,host=h x=1 ${stamp}`, { precision })).toMatchObject([{ code: 'out-of-range', field: 'timestamp', column: 14 }]);
  });

  it.each([
    ['a float', '1700000000.5'],
    ['a suffix', '1700000000000000000i'],
    ['a lone minus', '-'],
    ['a field written after a space', 'y=2'],
  ])('rejects %s as a timestamp', (_name, stamp) => {
    expect(errors(`m,host=h x=1 ${stamp}`)).toMatchObject([{ code: 'bad-timestamp', field: 'timestamp', line: 1, column: 14 }]);
  });

  it('rejects text after the timestamp', () => {
    expect(errors('m,host=h x=1 1700000000000000000 extra')).toMatchObject([{ code: 'syntax', column: 34 }]);
  });
});

describe('lines, comments and whitespace', () => {
  it('skips blank lines and comments, counts them in line numbers', () => {
    const body = '# a comment\n\n   \n  # indented comment\nm,host=h x=1\n\nm,host=h y=oops\n';
    expect(errors(body)).toMatchObject([{ line: 7, field: 'y' }]);
    expect(samples(body.replace('oops', '2')).map((s) => s.metric)).toEqual(['m.x', 'm.y']);
  });

  it('accepts Windows line endings', () => {
    expect(samples('m,host=h x=1 1700000000000000000\r\nm,host=h y="a" 1700000000000000000\r\n')).toEqual([
      { metric: 'm.x', entity: 'h', tags: {}, time: T, value: 1 },
      { metric: 'm.y', entity: 'h', tags: {}, time: T, value: null, text: 'a' },
    ]);
  });

  it('accepts a last line without a newline, leading spaces and several spaces between sections', () => {
    expect(samples('  m,host=h   x=1    1700000000000000000   ')).toHaveLength(1);
  });

  it('ignores a UTF-8 byte order mark', () => {
    expect(one('\ufeffm,host=h x=1').metric).toBe('m.x');
  });

  it('returns no samples for an empty body or only comments', () => {
    expect(samples('')).toEqual([]);
    expect(samples('# nothing\n\n')).toEqual([]);
  });
});

describe('syntax errors name line, column and field', () => {
  it.each([
    ['no fields', 'm,host=h', 'syntax', 9, undefined],
    ['no fields after the space', 'm,host=h   ', 'syntax', 12, undefined],
    ['empty measurement', ',host=h x=1', 'syntax', 1, 'measurement'],
    ['a tag without a value', 'm,host=h,dc= x=1', 'syntax', 13, 'tags.dc'],
    ['a tag without =', 'm,host=h,dc x=1', 'syntax', 10, undefined],
    ['an empty tag key', 'm,=v,host=h x=1', 'syntax', 3, undefined],
    ['a trailing comma after the tags', 'm,host=h, x=1', 'syntax', 10, undefined],
    ['a field without =', 'm,host=h x', 'syntax', 10, undefined],
    ['a trailing comma after the fields', 'm,host=h x=1, 1700000000000000000', 'syntax', 14, undefined],
    ['a space after a field comma', 'm,host=h x=1, y=2', 'syntax', 14, undefined],
    ['junk after a string value', 'm,host=h s="a"b', 'syntax', 15, 's'],
    ['a tab in the measurement', 'm\tx,host=h x=1', 'control-character', 2, 'measurement'],
    ['a tab in a tag value', 'm,host=h\t x=1', 'control-character', 9, undefined],
    ['a control character in a number', 'm,host=h x=1\u0001', 'control-character', 13, 'x'],
  ])('%s', (_name, line, code, column, field) => {
    const [error] = errors(line);
    expect(error).toMatchObject({ code, line: 1, column });
    expect(error?.field).toBe(field);
    expect(error?.hint).toBeTruthy();
  });

  it('rejects a tag given twice, including host and entity', () => {
    for (const line of ['m,host=h,a=1,a=2 x=1', 'm,host=h,host=g x=1', 'm,entity=e,entity=f x=1']) {
      expect(errors(line)).toMatchObject([{ code: 'duplicate-tag' }]);
    }
  });

  it('reports the bad line only, with no samples from the good ones', () => {
    const body = [
      'cpu,host=h1 usage=1 1700000000000000000',
      'cpu,host=h1 usage=two 1700000000000000000',
      'cpu,host=h1 usage=3 1700000000000000000',
    ].join('\n');
    const result = parseLineProtocol(body, { now: NOW });
    expect(result).toEqual({
      ok: false,
      errors: [{
        code: 'bad-field-value', line: 2, column: 19, field: 'usage',
        message: "field 'usage' has an unreadable value 'two'",
        hint: 'numbers are 1.5 or 1e3, integers 5i, unsigned 5u, booleans true/false, strings "double-quoted"',
      }],
    });
  });

  it('quotes long user text shortened in messages', () => {
    const [error] = errors(`m,host=h x=${'z'.repeat(10_000)}`);
    expect(error?.message).toBe(`field 'x' has an unreadable value '${'z'.repeat(37)}…'`);
  });

  it('reads well through the formatter', () => {
    expect(formatIngestErrors(errors('cpu,host=h1 usage=1\ncpu usage=2'))).toBe(
      "line 2, column 1, field 'entity': the line names no entity (hint: add an 'entity' or 'host' tag; Telegraf adds host unless omit_hostname is set)",
    );
  });

  it('lists every bad line, one error per line, in order', () => {
    const body = ['m,host=h x=1', 'm x=1', 'm,host=h x=bad', 'm,host=h x=1', 'm,host=h x=1 soon'].join('\n');
    expect(errors(body).map((e) => [e.line, e.code])).toEqual([[2, 'missing-entity'], [3, 'bad-field-value'], [5, 'bad-timestamp']]);
  });
});

describe('limits', () => {
  it('rejects a line longer than maxLineLength', () => {
    expect(errors(`m,host=h s="${'a'.repeat(100)}"`, { limits: { maxLineLength: 50 } })).toMatchObject([{ code: 'line-too-long', line: 1, column: 51 }]);
    expect(samples(`m,host=h s="${'a'.repeat(36)}"`, { limits: { maxLineLength: 50 } })).toHaveLength(1);
  });

  it('rejects a line with more than maxFieldsPerLine fields', () => {
    expect(errors('m,host=h a=1,b=2,c=3', { limits: { maxFieldsPerLine: 2 } })).toMatchObject([{ code: 'too-many-fields', field: 'c', column: 18 }]);
    expect(samples('m,host=h a=1,b=2', { limits: { maxFieldsPerLine: 2 } })).toHaveLength(2);
  });

  it('rejects a batch with more than maxBatchLines data lines (comments and blanks do not count)', () => {
    const body = '# header\n\nm,host=h x=1\nm,host=h x=2\nm,host=h x=3\n';
    expect(samples(body, { limits: { maxBatchLines: 3 } })).toHaveLength(3);
    expect(errors(body, { limits: { maxBatchLines: 2 } })).toMatchObject([{ code: 'too-many-lines', line: 5 }]);
  });

  it('lists at most maxErrors errors and says how many more there are', () => {
    const body = Array.from({ length: 10 }, () => 'bad').join('\n');
    const list = errors(body, { limits: { maxErrors: 3 } });
    expect(list.map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(list[3]).toMatchObject({ code: 'too-many-errors', message: '7 more problems not listed (only the first 3 are shown)' });
  });
});

describe('robustness', () => {
  it('never throws, and returns either samples or errors for any input', () => {
    const alphabet = fc.constantFrom(...'ab=, "\\\n\r\t#01.-eiuTf'.split(''));
    const lineLike = fc.array(alphabet, { maxLength: 60 }).map((chars) => chars.join(''));
    const precision = fc.constantFrom('ns' as const, 'us' as const, 'ms' as const, 's' as const);
    fc.assert(fc.property(fc.oneof(lineLike, fc.string(), fc.string({ unit: 'binary' })), precision, (body, precision) => {
      const result = parseLineProtocol(body, { now: NOW, precision });
      if (result.ok) {
        for (const sample of result.samples) {
          expect(sample.metric).not.toBe('');
          expect(sample.entity).not.toBe('');
          expect(Number.isFinite(sample.time)).toBe(true);
          expect(sample.value === null || Number.isFinite(sample.value)).toBe(true);
        }
      } else {
        expect(result.errors.length).toBeGreaterThan(0);
        for (const error of result.errors) expect(error.line).toBeGreaterThanOrEqual(1);
      }
    }), { numRuns: 2000 });
  });

  it('reads back what a line protocol writer produced (round trip)', () => {
    const escapeKey = (s: string): string => s.replace(/[, =]/g, (c) => `\\${c}`);
    const escapeName = (s: string): string => s.replace(/[, ]/g, (c) => `\\${c}`);
    const escapeString = (s: string): string => s.replace(/["\\]/g, (c) => `\\${c}`);
    // Printable text without a trailing backslash (line protocol cannot encode one, as Telegraf notes).
    const tricky = fc.constantFrom('a', 'b', ',', ' ', '=', '\\', '"', '#', 'é', '🙂');
    const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12, unit: tricky }), fc.string({ minLength: 1, maxLength: 12, unit: 'binary' }))
      .filter((s) => !/[\u0000-\u001f\u007f]/.test(s) && !s.endsWith('\\') && !s.startsWith('#') && !s.startsWith(' '));
    const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)); // -0 prints as 0
    fc.assert(fc.property(name, name, name, number, fc.oneof(fc.string({ maxLength: 20, unit: tricky }), fc.string({ maxLength: 20, unit: 'binary' })).filter((s) => !/[\r\n]/.test(s)),
      (measurement, host, key, value, text) => {
        fc.pre(key !== 'value');
        const line = `${escapeName(measurement)},host=${escapeKey(host)} ${escapeKey(key)}=${value},${escapeKey(key)}_s="${escapeString(text)}" 1700000000000000000`;
        expect(samples(line)).toEqual([
          { metric: `${measurement}.${key}`, entity: host, tags: {}, time: T, value },
          { metric: `${measurement}.${key}_s`, entity: host, tags: {}, time: T, value: null, text },
        ]);
      }));
  });
});

describe('limits of names, tags and time, with the place at fault (issue 14)', () => {
  it.each([
    ['the measurement', `${'m'.repeat(256)},host=h1 x=1`, 1, 'measurement'],
    ['measurement.field', `cpu,host=h1 ${'f'.repeat(252)}=1`, 13, 'f'.repeat(252)],
    ['the entity named by host', `cpu,host=${'h'.repeat(256)} x=1`, 10, 'tags.host'],
    ['a tag key', `cpu,host=h1,${'k'.repeat(129)}=v x=1`, 13, `tags.${'k'.repeat(37)}…`],
    ['a tag value', `cpu,host=h1,dc=${'v'.repeat(1025)} x=1`, 16, 'tags.dc'],
  ])('%s over its limit: too-long at its first character', (_name, body, column, field) => {
    expect(errors(body)).toMatchObject([{ code: 'too-long', line: 1, column, field }]);
  });

  it('counts the tags a sample keeps: 64 pass, 65 do not (the entity tag aside)', () => {
    const tags = (count: number) => Array.from({ length: count }, (_, i) => `t${i}=v`).join(',');
    expect(one(`cpu,host=h1,${tags(64)} x=1`).tags).toHaveProperty('t63', 'v');
    expect(errors(`cpu,host=h1,${tags(65)} x=1`)).toMatchObject([{ code: 'too-many-tags', column: 5, field: 'tags' }]);
    expect(errors(`cpu,entity=e1,host=h1,${tags(64)} x=1`)).toMatchObject([{ code: 'too-many-tags' }]);
  });

  it('refuses times outside the span around now, and says how the timestamp was read', () => {
    const options = { precision: 'ms' as const, limits: { maxSampleAgeMs: 1000, maxSampleFutureMs: 1000 } };
    expect(one(`m,host=h x=1 ${NOW - 1000}`, options).time).toBe(NOW - 1000);
    expect(one(`m,host=h x=1 ${NOW + 1000}`, options).time).toBe(NOW + 1000);
    const [old] = errors(`m,host=h x=1 ${NOW - 1001}`, options);
    expect(old).toMatchObject({ code: 'too-old', line: 1, column: 14, field: 'timestamp' });
    expect(old!.message).toBe(`timestamp ${NOW - 1001} read as milliseconds is 2024-05-01T11:59:59.122Z, `
      + "older than max_sample_age 1s (the server's clock says 2024-05-01T12:00:00.123Z)");
    expect(old!.hint).toContain('--limit max_sample_age=');
    expect(errors(`m,host=h x=1 ${NOW + 1001}`, options)).toMatchObject([{ code: 'in-future', field: 'timestamp' }]);
  });
});
