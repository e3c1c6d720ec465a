/**
 * Handlebars inside JSON string leaves (SPEC §5): parse with positions (the checks are in
 * handlebars-check.ts), turn syntax errors into positioned problems, and compile once.
 *
 * - Own environment (`Handlebars.create()`): only tocsin's helpers and the built-ins (no `log`),
 *   each leaf given the ones it calls; no partials, no decorators. Compiled with
 *   `knownHelpersOnly` (an unknown helper can never be looked up in the data), `noEscape` (the
 *   output is JSON-escaped later, not HTML-escaped) and without `strict` (a missing field is
 *   empty text, as everywhere in templates; the checker catches misspelt names at load time).
 * - Leaves of only text, plain mustaches and if/unless skip the Handlebars runtime with the same
 *   result (handlebars-direct.ts); every leaf gets a context of just the names it reads
 *   (handlebars-reads.ts).
 * - Rendered with prototype access disabled explicitly (no warnings logged, no `constructor`).
 * - `#tokens` in the leaf's plain text (outside `{{ }}`) become `{{@__tN}}` data references
 *   whose values are computed per render, so `{{#if x}}#value{{/if}}` works.
 */
import Handlebars from 'handlebars';
import type { Problem } from '../parser/diagnostics.js';
import { checkStructure, lineStartsOf, offsetAt, type ParsedLeaf } from './handlebars-check.js';
import { activeBudget, RenderBudgetExceeded, type BlockCost } from './budget.js';
import { eachCosts, locKey } from './handlebars-cost.js';
import { directRender } from './handlebars-direct.js';
import { contextReads, pathNames } from './handlebars-reads.js';
import { HELPERS } from './helpers.js';
import * as problems from './problems.js';
import { scanTokens, type TokenPiece } from './tokens.js';

const env = Handlebars.create();

/**
 * Handlebars wraps every helper of its environment anew on every render call; with ~20 helpers
 * that was a fifth of the cost of rendering a preset. So the environment keeps only the runtime's
 * two hooks and the built-ins other built-ins call through it (`unless` calls `if`,
 * `blockHelperMissing` calls `each`); each leaf is given the other helpers it calls (compileLeaf).
 */
const KEPT_IN_ENVIRONMENT = new Set(['helperMissing', 'blockHelperMissing', 'if', 'each']);

/** The helpers a leaf is given when it calls them: tocsin's and the other built-ins (not log). */
const GIVEN_PER_LEAF = new Map<string, Handlebars.HelperDelegate>();
for (const spec of HELPERS.values()) {
  if (KEPT_IN_ENVIRONMENT.has(spec.name)) continue;
  const fn = spec.fn ?? (env.helpers[spec.name] as Handlebars.HelperDelegate | undefined);
  if (fn !== undefined) GIVEN_PER_LEAF.set(spec.name, fn as Handlebars.HelperDelegate);
}
for (const name of Object.keys(env.helpers)) if (!KEPT_IN_ENVIRONMENT.has(name)) env.unregisterHelper(name);

/**
 * {{#each}} is the only loop, so it is where the render budget counts iterations and work (the
 * block's cost per iteration, found by the `loc` Handlebars passes) and charges each iteration's
 * output. Handlebars' own helper does the iterating; only its body function is wrapped.
 */
const builtinEach = env.helpers.each as (this: unknown, context: unknown, options: Handlebars.HelperOptions) => unknown;
env.registerHelper('each', function budgetedEach(this: unknown, context: unknown, options: Handlebars.HelperOptions) {
  const budget = activeBudget();
  if (budget === null) return builtinEach.call(this, context, options);
  const loc = (options as { loc?: hbs.AST.SourceLocation }).loc;
  const cost = loc === undefined ? undefined : budget.blocks?.get(locKey(loc.start.line, loc.start.column));
  const body = options.fn;
  const span = cost?.span ?? null;
  const counted = ((item: unknown, frame?: Handlebars.RuntimeOptions) => {
    budget.iterate(cost);
    try {
      return budget.frame(() => body(item, frame), span);
    } catch (error) {
      // Out of bytes in a helper: the innermost loop around it is the place to point at.
      if (error instanceof RenderBudgetExceeded && error.span === null) error.span = span;
      throw error;
    }
  }) as Handlebars.TemplateDelegate;
  return builtinEach.call(this, context, { ...options, fn: counted });
});

const KNOWN_HELPERS: Record<string, boolean> = Object.fromEntries([...HELPERS.keys()].map((name) => [name, true]));
const COMPILE_OPTIONS = { noEscape: true, knownHelpersOnly: true, knownHelpers: KNOWN_HELPERS, strict: false, data: true };

export { checkLeafNames, type ParsedLeaf, type Range } from './handlebars-check.js';

/** Does this leaf use Handlebars at all? (Anything else is plain text with #tokens.) */
export function usesHandlebars(text: string): boolean {
  return text.includes('{{');
}

// --- Parsing ---------------------------------------------------------------------------------

const TOKEN_TEXT: Record<string, string> = {
  EOF: 'the end of the text', CLOSE: '}}', CLOSE_UNESCAPED: '}}}', CLOSE_RAW_BLOCK: '}}}}', OPEN: '{{', OPEN_BLOCK: '{{#',
  OPEN_ENDBLOCK: '{{/…}}', OPEN_INVERSE: '{{^', OPEN_INVERSE_CHAIN: '{{else …}}', INVERSE: '{{else}}', OPEN_SEXPR: '(',
  CLOSE_SEXPR: ')', ID: 'a name', STRING: 'a string', NUMBER: 'a number', BOOLEAN: 'true or false', UNDEFINED: 'undefined',
  NULL: 'null', DATA: '@name', SEP: "'.'", EQUALS: "'='", OPEN_BLOCK_PARAMS: "'as |'", CLOSE_BLOCK_PARAMS: "'|'",
  CONTENT: 'text', COMMENT: 'a comment', OPEN_PARTIAL: '{{>', OPEN_UNESCAPED: '{{{',
};
const tokenText = (token: string) => TOKEN_TEXT[token] ?? token.toLowerCase();

interface Yylloc {
  first_line: number;
  first_column: number;
  last_line: number;
  last_column: number;
}

/** Where the Handlebars parser stopped: its lexer keeps the location of the last token read. */
function lastLexerLocation(): Yylloc | null {
  const parser = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: Yylloc } } }).Parser;
  return parser?.lexer?.yylloc ?? null;
}

function syntaxProblem(error: unknown, leaf: { text: string; lineStarts: number[] }): Problem {
  const raw = error instanceof Error ? error.message : String(error);
  const exception = error as { lineNumber?: unknown; column?: unknown; endLineNumber?: unknown; endColumn?: unknown };
  if (typeof exception.lineNumber === 'number' && typeof exception.column === 'number') {
    // Semantic parse errors (`if doesn't match each - 1:6`) carry the node's location.
    const start = offsetAt(leaf.lineStarts, exception.lineNumber, exception.column, leaf.text.length);
    const end = typeof exception.endLineNumber === 'number' && typeof exception.endColumn === 'number'
      ? offsetAt(leaf.lineStarts, exception.endLineNumber, exception.endColumn, leaf.text.length)
      : start + 1;
    const message = raw.replace(/ - \d+:\d+$/, '');
    const mismatch = /^(\S+) doesn't match (\S+)$/.exec(message);
    if (mismatch) return problems.handlebarsSyntax(`{{/${mismatch[2]}}} closes {{#${mismatch[1]}}}`, { start, end: Math.max(end, start + 1) }, `close it with {{/${mismatch[1]}}}`);
    return problems.handlebarsSyntax(message, { start, end: Math.max(end, start + 1) });
  }
  const loc = lastLexerLocation();
  const expecting = /Expecting (.+), got '(\w+)'/.exec(raw);
  // At the end of the text the lexer still points at the last token; the caret belongs after it.
  const atEnd = expecting?.[2] === 'EOF';
  const start = atEnd ? leaf.text.length : loc ? offsetAt(leaf.lineStarts, loc.first_line, loc.first_column, leaf.text.length) : 0;
  const end = atEnd ? start + 1 : loc ? offsetAt(leaf.lineStarts, loc.last_line, loc.last_column, leaf.text.length) : start + 1;
  const span = { start, end: Math.max(end, start + 1) };
  if (expecting) {
    const expected = [...new Set((expecting[1] ?? '').split(/,\s*/).map((t) => tokenText(t.replace(/'/g, ''))))];
    const got = tokenText(expecting[2] ?? '');
    const unclosed = expecting[2] === 'EOF';
    return problems.handlebarsSyntax(
      unclosed ? 'the text ends inside a {{ }} expression or block' : `unexpected ${got}`,
      span,
      `expected ${expected.slice(0, 6).join(', ')}${expected.length > 6 ? ', …' : ''}`,
    );
  }
  if (/Lexical error/.test(raw)) return problems.handlebarsSyntax('unexpected character inside {{ }}', span, 'names are letters, digits, _ and -; quote text: "…"');
  return problems.handlebarsSyntax(raw.split('\n')[0] ?? raw, span);
}

/** Parses a leaf and runs the checks that do not depend on the event type (blocks nest at most `maxDepth` deep). */
export function parseLeaf(text: string, maxDepth: number): ParsedLeaf {
  const lineStarts = lineStartsOf(text);
  const leaf: ParsedLeaf = { text, ast: null, problems: [], content: [], lineStarts };
  try {
    leaf.ast = env.parse(text);
  } catch (error) {
    leaf.problems.push(syntaxProblem(error, leaf));
    return leaf;
  }
  checkStructure(leaf, maxDepth);
  // An escaped mustache (`\{{…}}`) arrives as content starting with '{{': it is printed as written,
  // #tokens inside it included, like the text of any other {{ }}.
  for (const range of leaf.content) {
    if (!text.startsWith('{{', range.start)) continue;
    const close = text.indexOf('}}', range.start + 2);
    range.start = close === -1 || close + 2 > range.end ? range.end : close + 2;
  }
  return leaf;
}

// --- Compiling -------------------------------------------------------------------------------

export interface CompiledLeaf {
  /** Renders with `context` as `this` and `data` as the @variables (`@__t0`: the #tokens' text). */
  render(context: Record<string, unknown>, data: Record<string, string>): string;
  /** The #tokens found in plain content, in order: `{{@__t0}}`, `{{@__t1}}`, … */
  tokens: TokenPiece[];
  /** The top-level context names the leaf reads; null: it may read the whole context. */
  reads: ReadonlySet<string> | null;
  /** Has {{#each}} blocks: its render is one frame of the budget (the only place output can multiply). */
  loops: boolean;
  /** Reads `@__lb`/`@__rb` (BRACE_DATA). */
  braces: boolean;
}

/** `{{ref}}` appended; a backslash right before '{{' would escape the mustache, so it is doubled to stay literal. */
const withMustache = (source: string, ref: string): string =>
  `${source.endsWith('\\') ? `${source}\\` : source}{{${ref}}}`;

/** The data every leaf gets besides its tokens: the braces written next to a token (compileLeaf). */
export const BRACE_DATA: Readonly<Record<string, string>> = Object.freeze({ __lb: '{', __rb: '}' });

/**
 * Rewrites the plain content (`##` → `#`, `#name` → `{{@__tN}}`) and compiles. Only called for a
 * leaf without problems. Compilation is lazy in Handlebars; the caller renders an example once.
 */
export function compileLeaf(leaf: ParsedLeaf): CompiledLeaf {
  const { text, content } = leaf;
  let source = '';
  let position = 0;
  const tokens: TokenPiece[] = [];
  // Where verbatim stretches of the leaf start in the rewritten source: {{ }} syntax is copied
  // as written, so a block's position in the source maps back to the leaf text.
  const anchors: Array<{ source: number; text: number }> = [];
  for (const range of content) {
    anchors.push({ source: source.length, text: position });
    source += text.slice(position, range.start);
    let afterToken = false;
    for (const piece of scanTokens(text, range.start, range.end)) {
      if (piece.kind === 'text') {
        // `}` right after the token's '}}' would make '}}}' (the fuzz test found `#tags.env}}`):
        // each such brace is written as {{@__rb}}.
        let rest = piece.text;
        while (afterToken && rest.startsWith('}')) {
          source = withMustache(source, '@__rb');
          rest = rest.slice(1);
        }
        source += rest;
        afterToken = false;
        continue;
      }
      // Likewise a '{' right before it would make '{{{': written as {{@__lb}}.
      if (source.endsWith('{')) source = withMustache(source.slice(0, -1), '@__lb');
      source = withMustache(source, `@__t${tokens.length}`);
      tokens.push(piece);
      afterToken = true;
    }
    position = range.end;
  }
  anchors.push({ source: source.length, text: position });
  source += text.slice(position);
  const template = env.compile(source, COMPILE_OPTIONS);
  // The rewritten source is what runs (#tokens became @data), so it is what is analysed.
  const ast = env.parse(source);
  const sourceLines = lineStartsOf(source);
  const toText = (loc: hbs.AST.Position): number => {
    const offset = offsetAt(sourceLines, loc.line, loc.column, source.length);
    let anchor = anchors[0]!;
    for (const a of anchors) if (a.source <= offset) anchor = a;
    return Math.min(text.length, anchor.text + (offset - anchor.source));
  };
  const costs: ReadonlyMap<string, BlockCost> = eachCosts(ast, (block, path) => {
    const start = toText(block.start);
    return { start, end: Math.max(start + 1, toText(path.end)) };
  });
  const helpers: Record<string, Handlebars.HelperDelegate> = {};
  for (const name of pathNames(ast)) {
    const fn = GIVEN_PER_LEAF.get(name);
    if (fn !== undefined) helpers[name] = fn;
  }
  const run = (context: Record<string, unknown>, data: Record<string, string>) =>
    template(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false, data, helpers });
  // The {{#each}} blocks of this leaf, for the budget while it renders (there are none in a direct leaf).
  const budgeted = costs.size === 0 ? run : (context: Record<string, unknown>, data: Record<string, string>) => {
    const budget = activeBudget();
    if (budget === null) return run(context, data);
    const outer = budget.blocks;
    budget.blocks = costs;
    try {
      return run(context, data);
    } finally {
      budget.blocks = outer;
    }
  };
  return {
    // Plain leaves skip the Handlebars runtime (handlebars-direct.ts); prototype access is off,
    // stated explicitly so Handlebars neither allows nor logs.
    render: directRender(ast) ?? budgeted,
    tokens,
    reads: contextReads(ast),
    loops: costs.size > 0,
    braces: source.includes('{{@__lb}}') || source.includes('{{@__rb}}'),
  };
}
