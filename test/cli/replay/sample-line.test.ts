import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeSample } from '../../../src/model/sample.js';
import { parseSampleLine } from '../../../src/cli/replay/sample-line.js';

/** What ingestion's validation makes of the same line: the reference for replay's fast path. */
function reference(text: string) {
  const result = normalizeSample(JSON.parse(text));
  return result.ok ? result.sample : `${result.field ? `field '${result.field}': ` : ''}${result.message}`;
}

const isoTime = fc
  .integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 })
  .map((ms) => new Date(ms).toISOString())
  .chain((iso) => fc.constantFrom(iso, iso.replace('.000Z', 'Z'), `${iso.slice(0, 19)}+02:00`));

/** Sample-like objects: mostly well-formed, each field now and then of a wrong kind or missing. */
const sampleLike = fc.record(
  {
    metric: fc.oneof(fc.string(), fc.constant(''), fc.integer()),
    entity: fc.oneof(fc.string({ minLength: 1 }), fc.constant(''), fc.constant(null)),
    tags: fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), fc.string(), { maxKeys: 4 }),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
    ),
    time: fc.oneof(
      isoTime, fc.integer(), fc.double(), fc.constant('yesterday'), fc.constant('2026-01-05T10:00:00'), fc.constant(null),
    ),
    value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), fc.string()),
    text: fc.oneof(fc.string(), fc.integer()),
    extra: fc.string(),
  },
  { requiredKeys: ['metric', 'entity', 'time', 'value'] },
);

describe('parseSampleLine: replay reads a line as ingestion would', () => {
  it('gives the sample or the error normalizeSample gives, for generated lines', () => {
    fc.assert(
      fc.property(sampleLike, (object) => {
        const text = JSON.stringify(object);
        const fast = parseSampleLine(text);
        const slow = reference(text);
        expect(fast).toEqual(slow);
        if (typeof fast !== 'string' && typeof slow !== 'string') {
          expect(Object.keys(fast.tags)).toEqual(Object.keys(slow.tags));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps a tag named __proto__ as a tag', () => {
    const line = '{"metric":"m","entity":"e","tags":{"__proto__":"x"},"time":"2026-01-05T00:00:00Z","value":1}';
    const sample = parseSampleLine(line);
    expect(typeof sample).toBe('object');
    if (typeof sample === 'string') return;
    expect(Object.keys(sample.tags)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(sample.tags)).toBe(Object.prototype);
  });

  it('names the JSON problem of a broken line', () => {
    expect(parseSampleLine('{"metric":')).toMatch(/^invalid JSON: /);
  });
});
