/**
 * Where each character of a YAML scalar's value sits in the file, so an expression diagnostic
 * points at the YAML text the author wrote rather than at the decoded string. The decoded value
 * differs from the source text in every style but the simplest: quotes, `''` in single quotes,
 * escapes in double quotes, folded line breaks, and the indentation of block scalars (| and >).
 *
 * The mapping is rebuilt from the source and checked against the value the YAML parser decoded;
 * when they disagree (a construct this module does not model), null is returned and callers point
 * at the start of the scalar instead of pointing at a wrong character.
 */
import type { Scalar } from 'yaml';

/** Maps an offset in the scalar's value to an offset in the file text. */
export type OffsetMap = (offset: number) => number;

/** An OffsetMap for the scalar; points every offset at the scalar's start when it cannot be exact. */
export function scalarOffsetMap(text: string, scalar: Scalar): OffsetMap {
  const start = scalar.range?.[0] ?? 0;
  const positions = typeof scalar.value === 'string' ? scalarPositions(text, scalar) : null;
  if (!positions) return () => start;
  const last = positions.length - 1;
  return (offset) => positions[Math.max(0, Math.min(offset, last))]!;
}

/**
 * File offsets of every character of the value, plus one entry for the end of the value;
 * null when the source does not decode to the scalar's value here.
 */
export function scalarPositions(text: string, scalar: Scalar): number[] | null {
  const range = scalar.range;
  const value = scalar.value;
  if (!range || typeof value !== 'string') return null;
  const [start, valueEnd] = range;
  let decoded: Decoded;
  switch (scalar.type) {
    case 'PLAIN':
      decoded = decodeFlow(text, start, valueEnd, 'plain');
      break;
    case 'QUOTE_SINGLE':
      decoded = decodeFlow(text, start + 1, valueEnd - 1, 'single');
      break;
    case 'QUOTE_DOUBLE':
      decoded = decodeFlow(text, start + 1, valueEnd - 1, 'double');
      break;
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      // The indentation is that of the first line, unless the header gives it (`|2`) relative to
      // a parent this module does not see; then the narrower indentation that decodes to the
      // value is the right one.
      const folded = scalar.type === 'BLOCK_FOLDED';
      for (let indent = firstLineIndent(text, start, valueEnd); indent >= 0; indent--) {
        const block = decodeBlock(text, start, valueEnd, folded, indent);
        if (block && sameValue(block.chars, value)) return positionsOf(block, value);
      }
      return null;
    }
    default:
      return null;
  }
  return sameValue(decoded.chars, value) ? positionsOf(decoded, value) : null;
}

/** Chomping (|-, |+) only changes trailing line breaks, which no expression points into. */
function sameValue(decoded: string, value: string): boolean {
  const trim = (s: string) => s.replace(/\n+$/, '');
  return decoded === value || trim(decoded) === trim(value);
}

function positionsOf(decoded: Decoded, value: string): number[] {
  const positions: number[] = [];
  for (let i = 0; i < value.length; i++) positions.push(decoded.positions[i] ?? decoded.end);
  positions.push(decoded.positions[value.length] ?? decoded.end);
  return positions;
}

interface Decoded {
  chars: string;
  /** File offset of each character of `chars`. */
  positions: number[];
  /** File offset just after the value's last source character. */
  end: number;
}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** Single-character escapes of YAML double-quoted scalars (YAML 1.2 §5.7). */
const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Plain and quoted (flow) scalars: line folding, `''` in single quotes, escapes in double quotes. */
function decodeFlow(text: string, from: number, to: number, style: 'plain' | 'single' | 'double'): Decoded {
  let chars = '';
  const positions: number[] = [];
  const emit = (s: string, at: number) => {
    chars += s;
    for (let k = 0; k < s.length; k++) positions.push(at);
  };
  let i = from;
  while (i < to) {
    const c = text[i]!;
    if (WHITESPACE.has(c)) {
      let j = i;
      let breaks = 0;
      while (j < to && WHITESPACE.has(text[j]!)) {
        if (text[j] === '\n') breaks++;
        j++;
      }
      if (breaks === 0) {
        for (let k = i; k < j; k++) emit(text[k]!, k);
      } else {
        // A single line break folds to a space; n breaks (empty lines between) keep n − 1 newlines.
        emit(breaks === 1 ? ' ' : '\n'.repeat(breaks - 1), i);
      }
      i = j;
    } else if (style === 'single' && c === "'" && text[i + 1] === "'") {
      emit("'", i);
      i += 2;
    } else if (style === 'double' && c === '\\') {
      const next = text[i + 1] ?? '';
      if (next === '\n' || next === '\r') {
        // An escaped line break joins the lines without a space; the next line's indentation goes too.
        let j = i + 1;
        if (text[j] === '\r') j++;
        if (text[j] === '\n') j++;
        while (j < to && (text[j] === ' ' || text[j] === '\t')) j++;
        i = j;
      } else if (next in HEX_ESCAPE_LENGTH) {
        const digits = HEX_ESCAPE_LENGTH[next]!;
        const code = Number.parseInt(text.slice(i + 2, i + 2 + digits), 16);
        emit(Number.isNaN(code) ? '' : String.fromCodePoint(code), i);
        i += 2 + digits;
      } else {
        emit(ESCAPES[next] ?? next, i);
        i += 2;
      }
    } else {
      emit(c, i);
      i++;
    }
  }
  return { chars, positions, end: to };
}

/**
 * Block scalars: the header line (`|`, `>-`, `|2 # comment`), then lines indented by the block's
 * indentation, which is not part of the value. Folded (>) scalars join lines with a space, except
 * around empty and more-indented lines, which keep their line breaks.
 */
interface Line {
  start: number;
  end: number;
}

/** The lines of a block scalar's body (after its header line), without line breaks. */
function blockLines(text: string, from: number, to: number): Line[] {
  const lines: Line[] = [];
  const headerEnd = text.indexOf('\n', from);
  if (headerEnd === -1 || headerEnd >= to) return lines;
  let lineStart = headerEnd + 1;
  while (lineStart < to) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1 || lineEnd > to) lineEnd = to;
    const contentEnd = text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
    lines.push({ start: lineStart, end: contentEnd });
    lineStart = lineEnd + 1;
  }
  return lines;
}

function isBlank(text: string, line: Line): boolean {
  return text.slice(line.start, line.end).trim() === '';
}

function firstLineIndent(text: string, from: number, to: number): number {
  const first = blockLines(text, from, to).find((line) => !isBlank(text, line));
  let indent = 0;
  while (first && text[first.start + indent] === ' ') indent++;
  return indent;
}

function decodeBlock(text: string, from: number, to: number, folded: boolean, indent: number): Decoded | null {
  const lines = blockLines(text, from, to);
  const firstContent = lines.find((line) => !isBlank(text, line));
  if (!firstContent) return { chars: '', positions: [], end: to };

  let chars = '';
  const positions: number[] = [];
  const emit = (s: string, at: number) => {
    chars += s;
    for (let k = 0; k < s.length; k++) positions.push(at);
  };
  let pendingBreaks = 0;
  let breakAt = firstContent.start;
  let previousMoreIndented = false;
  let seenContent = false;
  for (const line of lines) {
    // Spaces beyond the indentation are content (in > they make a more-indented line).
    if (line.end - line.start <= indent && isBlank(text, line)) {
      pendingBreaks++;
      continue;
    }
    for (let k = 0; k < indent; k++) if (text[line.start + k] !== ' ') return null;
    const contentStart = line.start + indent;
    const moreIndented = text[contentStart] === ' ' || text[contentStart] === '\t';
    if (seenContent) {
      const breaks = pendingBreaks + 1;
      if (!folded || moreIndented || previousMoreIndented) emit('\n'.repeat(breaks), breakAt);
      else emit(breaks === 1 ? ' ' : '\n'.repeat(breaks - 1), breakAt);
    } else if (pendingBreaks > 0) {
      emit('\n'.repeat(pendingBreaks), line.start);
    }
    for (let k = contentStart; k < line.end; k++) emit(text[k]!, k);
    breakAt = line.end;
    pendingBreaks = 0;
    previousMoreIndented = moreIndented;
    seenContent = true;
  }
  emit('\n', breakAt);
  return { chars, positions, end: breakAt };
}
