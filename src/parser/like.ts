/**
 * LIKE patterns: `*` is any run of characters, `?` one character, `\*` `\?` `\\` are literals.
 * Case-sensitive. Matching never backtracks: the pattern is split at `*` into segments, the first
 * is anchored at the start, the last at the end, and the middle ones are placed leftmost in order,
 * which is correct for globs. Time is bounded by text length × pattern length whatever the input,
 * so a rule author cannot write a pattern that stalls the engine.
 */

/** A segment between stars: characters, with null standing for `?`. */
type Segment = (string | null)[];

export interface LikePattern {
  readonly source: string;
  test(text: string): boolean;
}

/** Counts the character comparisons of the general matcher (tests check that matching stays linear). */
export interface MatchMeter {
  steps: number;
}

function segmentsOf(pattern: string, escapes: boolean): Segment[] {
  const segments: Segment[] = [[]];
  // By code points, so that `?` stands for one character even outside the BMP (an emoji).
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escapes && c === '\\' && i + 1 < chars.length) {
      segments[segments.length - 1]!.push(chars[++i]!);
    } else if (c === '*') {
      segments.push([]);
    } else {
      segments[segments.length - 1]!.push(c === '?' ? null : c);
    }
  }
  return segments;
}

export function compileLike(pattern: string): LikePattern {
  return compileSegments(pattern, segmentsOf(pattern, true));
}

/**
 * A rule's metric glob (`disk.*.*.used_percent`): `*` any run, `?` one character, no escapes (a
 * backslash is itself, as it always was in metric globs). The same non-backtracking matcher as
 * LIKE: metric names come from ingest clients, so a regular expression built from the glob would
 * let one long name stall the engine. With a meter, the general matcher always runs and counts.
 */
export function compileGlob(pattern: string, meter?: MatchMeter): LikePattern {
  const segments = segmentsOf(pattern, false);
  if (meter !== undefined) return { source: pattern, test: (t) => matchSegments(segments, t, meter) };
  return compileSegments(pattern, segments);
}

function compileSegments(pattern: string, segments: Segment[]): LikePattern {
  // Fast paths for the common shapes: exact, prefix*, *suffix, *part*.
  const literal = segments.map((s) => (s.includes(null) ? null : s.join('')));
  if (literal.every((s) => s !== null)) {
    const parts = literal as string[];
    if (parts.length === 1) return { source: pattern, test: (t) => t === parts[0] };
    if (parts.length === 2) {
      const [prefix, suffix] = parts as [string, string];
      return { source: pattern, test: (t) => t.length >= prefix.length + suffix.length && t.startsWith(prefix) && t.endsWith(suffix) };
    }
    if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
      const middle = parts[1]!;
      return { source: pattern, test: (t) => t.includes(middle) };
    }
  }
  return { source: pattern, test: (t) => matchSegments(segments, t) };
}

/** A string, or its code points when it has characters outside the BMP. */
type Characters = ArrayLike<string>;

function matchesAt(segment: Segment, text: Characters, at: number, meter?: MatchMeter): boolean {
  if (at + segment.length > text.length) return false;
  for (let j = 0; j < segment.length; j++) {
    if (meter !== undefined) meter.steps++;
    const c = segment[j];
    if (c !== null && text[at + j] !== c) return false;
  }
  return true;
}

const SURROGATE = /[\uD800-\uDFFF]/;

function matchSegments(segments: Segment[], input: string, meter?: MatchMeter): boolean {
  // Only here does `?` count characters; a BMP-only text (the usual case) is matched in place.
  const text: Characters = SURROGATE.test(input) ? Array.from(input) : input;
  const first = segments[0]!;
  if (segments.length === 1) return first.length === text.length && matchesAt(first, text, 0, meter);
  const last = segments[segments.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!matchesAt(first, text, 0, meter) || !matchesAt(last, text, text.length - last.length, meter)) return false;
  let position = first.length;
  const end = text.length - last.length;
  for (let s = 1; s < segments.length - 1; s++) {
    const segment = segments[s]!;
    let found = -1;
    for (let at = position; at + segment.length <= end; at++) {
      if (matchesAt(segment, text, at, meter)) {
        found = at;
        break;
      }
    }
    if (found < 0) return false;
    position = found + segment.length;
  }
  return true;
}

/** For patterns that are not literals: compiled on first use and cached (bounded). */
const cache = new Map<string, LikePattern>();
export function like(text: string | null, pattern: string | null): boolean {
  if (text === null || pattern === null) return false;
  let compiled = cache.get(pattern);
  if (!compiled) {
    if (cache.size >= 1000) cache.clear();
    compiled = compileLike(pattern);
    cache.set(pattern, compiled);
  }
  return compiled.test(text);
}
