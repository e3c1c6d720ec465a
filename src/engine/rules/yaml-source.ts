/**
 * A parsed YAML file that remembers where every value came from: the loader validates plain
 * JavaScript data, and this module turns a data path (`rules/0/for`) back into a span of the
 * file, so each mistake is reported at the YAML text that caused it.
 */
import { isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { locate, type Diagnostic, type Problem, type Span } from '../../parser/diagnostics.js';
import { scalarOffsetMap, type OffsetMap } from './scalar-offsets.js';

export type DataPath = ReadonlyArray<string | number>;

/** Hints for the YAML syntax errors people make most often in rule files. */
const SYNTAX_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping; remove or rename one of them',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs for indentation',
  BAD_INDENT: 'keys of one mapping must start in the same column',
  MULTILINE_IMPLICIT_KEY: "a value that contains ': ' or '#' must be quoted",
  BLOCK_AS_IMPLICIT_KEY: "a value that contains ': ' must be quoted",
  UNEXPECTED_TOKEN: "a value that starts with '@', '`', '%', '*' or '&' must be quoted",
  BAD_SCALAR_START: "a value that starts with '@', '`' or '%' must be quoted",
};

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

/** Length of the plain key starting at `offset` (the parser marks only its first character). */
function keyLength(text: string, offset: number): number {
  return Math.max(1, /^[^\s:#,[\]{}]*/.exec(text.slice(offset))![0].length);
}

function syntaxHint(error: { code: string; message: string }): string | undefined {
  if (error.code === 'MISSING_CHAR') {
    if (/quote/i.test(error.message)) return 'close the quote; a quote inside single quotes is written twice: \'it\'\'s\'';
    if (/flow|[\]}]/.test(error.message)) return 'close the bracket: [a, b] or { key: value }';
    return 'check the indentation: keys of one mapping start in the same column, list items with "- "';
  }
  return SYNTAX_HINTS[error.code];
}

export class YamlSource {
  readonly file: string;
  readonly text: string;
  private readonly document: Document.Parsed;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    // prettyErrors off: messages without the parser's own snippet; the caret is drawn by our formatter.
    // Merge keys (`<<: *defaults`) let rules share fields through anchors kept under `x-` keys.
    this.document = parseDocument(text, { prettyErrors: false, keepSourceTokens: true, merge: true });
  }

  /** YAML syntax errors and warnings, positioned. A file with syntax errors is not validated further. */
  syntaxDiagnostics(): Diagnostic[] {
    const toDiagnostic = (error: { code: string; message: string; pos: [number, number] }, severity: 'error' | 'warning') =>
      this.diagnostic({
        code: error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax',
        message: lowerFirst(error.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')),
        span: { start: error.pos[0], end: Math.max(error.pos[1], error.pos[0] + (error.code === 'DUPLICATE_KEY' ? keyLength(this.text, error.pos[0]) : 1)) },
        severity,
        ...(syntaxHint(error) ? { hint: syntaxHint(error)! } : {}),
      });
    return [
      ...this.document.errors.map((e) => toDiagnostic(e, 'error')),
      ...this.document.warnings.map((w) => toDiagnostic(w, 'warning')),
    ];
  }

  get hasSyntaxErrors(): boolean {
    return this.document.errors.length > 0;
  }

  /** The file as plain data (an empty file is an empty mapping), or why it cannot be read as data. */
  data(): { value: unknown } | { error: Diagnostic } {
    if (this.document.contents === null) return { value: {} };
    try {
      return { value: this.document.toJS({ maxAliasCount: 1000 }) };
    } catch (error) {
      // The parser accepts an alias to an anchor defined later or nowhere; building the data does not.
      const message = error instanceof Error ? error.message : String(error);
      let unresolved: Node | null = null;
      visit(this.document, {
        Alias: (_, alias) => {
          if (!unresolved && !alias.resolve(this.document)) unresolved = alias;
        },
      });
      const span = spanOf(unresolved) ?? { start: 0, end: 1 };
      const text = unresolved ? `alias ${this.text.slice(span.start, span.end)} has no anchor before it` : lowerFirst(message);
      return { error: this.at(span, { code: 'yaml-syntax', message: text, hint: 'define an anchor (&name) before its aliases (*name), e.g. under an x- key at the top of the file' }) };
    }
  }

  /** Span of the value at `path`, or of the nearest ancestor that exists in the file. */
  valueSpan(path: DataPath): Span {
    const { node, key } = this.find(path);
    return spanOf(node) ?? spanOf(key) ?? this.nearestSpan(path);
  }

  /** Span of the key that holds the value at `path` (for unknown keys), or the value's span. */
  keySpan(path: DataPath): Span {
    const { key, node, complete } = this.find(path);
    return (complete ? (spanOf(key) ?? spanOf(node)) : null) ?? this.nearestSpan(path);
  }

  /** Span of the first key of the mapping at `path` (where a missing key is reported). */
  headSpan(path: DataPath): Span {
    const { node } = this.find(path);
    if (isMap(node)) {
      const first = node.items[0];
      if (first && isScalar(first.key)) return spanOf(first.key)!;
    }
    return this.valueSpan(path);
  }

  /** The scalar node at `path`, when the value there is a scalar written in the file. */
  scalar(path: DataPath): Scalar | null {
    const { node, complete } = this.find(path);
    return complete && isScalar(node) ? node : null;
  }

  /** Maps offsets inside the string value at `path` to offsets in the file. */
  offsetMap(path: DataPath): OffsetMap {
    const scalar = this.scalar(path);
    if (scalar) return scalarOffsetMap(this.text, scalar);
    const start = this.valueSpan(path).start;
    return () => start;
  }

  /** 1-based line and column of the value at `path`. */
  position(path: DataPath): { line: number; column: number } {
    const diagnostic = this.at(this.valueSpan(path), { code: 'position', message: '' });
    return { line: diagnostic.line, column: diagnostic.column };
  }

  diagnostic(problem: Problem): Diagnostic {
    return locate(problem, this.text, { file: this.file, text: this.text });
  }

  at(span: Span, problem: Omit<Problem, 'span'>): Diagnostic {
    return this.diagnostic({ ...problem, span });
  }

  private nearestSpan(path: DataPath): Span {
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const { node, key, complete } = this.find(path.slice(0, depth));
      if (!complete) continue;
      const span = spanOf(node) ?? spanOf(key);
      if (span) return span;
    }
    return { start: 0, end: 1 };
  }

  private find(path: DataPath): { node: Node | null; key: Node | null; complete: boolean } {
    let node: unknown = this.document.contents;
    let key: Node | null = null;
    for (const segment of path) {
      node = this.resolve(node);
      if (isMap(node)) {
        const pair = this.pairOf(node, String(segment), 0);
        if (!pair) return { node: null, key: null, complete: false };
        key = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        key = null;
        node = node.items[segment];
        if (node === undefined) return { node: null, key: null, complete: false };
      } else {
        return { node: null, key: null, complete: false };
      }
    }
    return { node: (node as Node | null) ?? null, key, complete: true };
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? (node.resolve(this.document) ?? null) : node;
  }

  /** The pair holding `name` in a mapping, looking into merged mappings (`<<: *defaults`) as YAML does. */
  private pairOf(map: YAMLMap, name: string, depth: number): Pair | undefined {
    const own = map.items.find((item) => isScalar(item.key) && typeof item.key.value !== 'symbol' && String(item.key.value) === name);
    if (own || depth > 8) return own;
    for (const item of map.items) {
      if (!isScalar(item.key) || typeof item.key.value !== 'symbol') continue;
      const sources = isSeq(item.value) ? item.value.items : [item.value];
      for (const source of sources) {
        const merged = this.resolve(source);
        const pair = isMap(merged) ? this.pairOf(merged, name, depth + 1) : undefined;
        if (pair) return pair;
      }
    }
    return undefined;
  }
}

function spanOf(node: Node | null | undefined): Span | null {
  const range = node?.range;
  if (!range) return null;
  return { start: range[0], end: Math.max(range[1], range[0] + 1) };
}

/** Data path segments of an ajv `instancePath` (`/rules/0/for`). */
export function pathOfPointer(pointer: string, data: unknown): Array<string | number> {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let current: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next: string | number = Array.isArray(current) && /^\d+$/.test(segment) ? Number(segment) : segment;
    path.push(next);
    current = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[next] : undefined;
  }
  return path;
}
