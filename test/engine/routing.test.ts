/**
 * SPEC §4 routing and issue 14 item 3: a rule's metric glob (`disk.*.*.used_percent`) is matched
 * in linear time, whatever the metric name an ingest client sends. Linearity is checked by
 * counting the matcher's character comparisons, never by wall time; the semantics are checked
 * against a reference matcher on random names.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricRouter } from '../../src/engine/routing.js';
import { compileGlob, type MatchMeter } from '../../src/parser/like.js';

/** The textbook dynamic programme over code points: `*` any run, `?` one character, the rest literal. */
function referenceGlob(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let row = new Array<boolean>(t.length + 1).fill(false);
  row[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(t.length + 1).fill(false);
    if (c === '*') {
      next[0] = row[0]!;
      for (let j = 1; j <= t.length; j++) next[j] = row[j]! || next[j - 1]!;
    } else {
      for (let j = 1; j <= t.length; j++) next[j] = row[j - 1]! && (c === '?' || t[j - 1] === c);
    }
    row = next;
  }
  return row[t.length]!;
}

const rule = (name: string, ...metrics: string[]) => ({ name, metrics });

describe('metric globs route samples', () => {
  it.each([
    ['disk.*.*.used_percent', 'disk.sda.root.used_percent', true],
    ['disk.*.*.used_percent', 'disk.sda.used_percent', false],
    ['disk.*.*.used_percent', 'disk.sda..used_percent', true],
    ['disk.*.*.used_percent', 'disk.used_percent', false],
    ['docker.*', 'docker.cpu.busy', true],
    ['docker.*', 'xdocker.cpu', false],
    ['cpu.?', 'cpu.1', true],
    ['cpu.?', 'cpu.10', false],
    ['a\\b*', 'a\\bc', true],
    ['app.(x)+', 'app.(x)+', true],
    ['app.(x)+', 'app.xx', false],
  ])('%s against %s: %s', (glob, metric, expected) => {
    const router = new MetricRouter([rule('r', glob)]);
    expect(router.rulesFor(metric).length === 1).toBe(expected);
  });

  it('a 64 KiB adversarial metric name is routed (the backtracking expression took 2 s)', () => {
    const router = new MetricRouter([rule('disk', 'disk.*.*.used_percent'), rule('exact', 'disk.x.y.used_percent')]);
    const hostile = `disk.${'.'.repeat(64 * 1024)}x`;
    expect(router.rulesFor(hostile)).toEqual([]);
    expect(router.rulesFor(`disk.${'a.'.repeat(32 * 1024)}used_percent`).map((r) => r.name)).toEqual(['disk']);
  });
});

describe('glob matching is linear in the name', () => {
  const steps = (glob: string, text: string) => {
    const meter: MatchMeter = { steps: 0 };
    compileGlob(glob, meter).test(text);
    return meter.steps;
  };

  it.each([
    ['disk.*.*.used_percent', (n: number) => `disk.${'.'.repeat(n)}x`],
    ['*a*a*a*a*b', (n: number) => 'a'.repeat(n)],
    ['*?.?.?.?*z', (n: number) => '.'.repeat(n)],
    ['x*aaaaaaaab', (n: number) => `x${'a'.repeat(n)}`],
  ])('%s: comparisons grow in proportion to the name', (glob, name) => {
    const small = steps(glob, name(16 * 1024));
    const large = steps(glob, name(64 * 1024));
    // Bounded by the name's length times the glob's: at most glob.length comparisons per character.
    expect(large).toBeLessThanOrEqual(64 * 1024 * glob.length + 64);
    // Four times the name, about four times the work (a quadratic matcher would do sixteen).
    expect(large).toBeLessThanOrEqual(4 * small + 4 * glob.length + 64);
  });

  it('agrees with the reference semantics on random globs and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '*', '?', '\\', 'é', '😀');
    const glob = fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join(''));
    const name = fc.array(fc.constantFrom('a', 'b', '.', '\\', 'é', '😀', '\n', '*'), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(glob, name, (g, n) => {
        const expected = referenceGlob(g, n);
        expect(compileGlob(g).test(n)).toBe(expected);
        expect(compileGlob(g, { steps: 0 }).test(n)).toBe(expected);
        if (g.includes('*') || g.includes('?')) expect(new MetricRouter([rule('r', g)]).rulesFor(n).length === 1).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});
