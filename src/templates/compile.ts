/**
 * Template compiler (SPEC §5): JSON text with `#variables` and Handlebars in its string leaves →
 * a render function per event type, or positioned diagnostics.
 *
 * Compile once, render fast: every leaf becomes a plan (a constant, a typed single token, text
 * with tokens, or a compiled Handlebars template) and the plans of the whole document are flattened
 * into constant JSON fragments with dynamic holes, so rendering a body is string concatenation plus
 * JSON.stringify of the dynamic values. Values only ever enter the body through JSON.stringify (or
 * as built objects), so no value can add structure to the JSON.
 *
 * A template serves a list of event types; every token must exist for each of them. A template
 * with any error has `ok: false` and refuses to render: it never fails at send time instead.
 */
import { ALERT_EVENT_TYPES, type EventType, type TocsinEvent } from '../model/event.js';
import { locate, sortDiagnostics, type Diagnostic, type Problem, type SourceOrigin, type Span } from '../parser/diagnostics.js';
import {
  activeBudget,
  budgetHint,
  renderLimits,
  RenderBudget,
  RenderBudgetExceeded,
  withBudget,
  type RenderLimits,
} from './budget.js';
import { toText, type Getter, type RenderContext, type RenderSettings } from './context.js';
import { textEmitter, valueEmitter, type Plan } from './emit.js';
import { BRACE_DATA, checkLeafNames, compileLeaf, parseLeaf, usesHandlebars, type ParsedLeaf } from './handlebars.js';
import type { JsonNode, JsonStringNode, JsonValue } from './json-source.js';
import * as problems from './problems.js';
import { isEventType, sampleEvent } from './schemas.js';
import { textSource, type TemplateSource } from './sources.js';
import { resolveToken, scanTokens } from './tokens.js';
import { PREVIEW_SETTINGS, tokenGetter, variablesFor, type VariableTable } from './variables.js';

export type { JsonValue } from './json-source.js';
export { htmlSafeJson } from './emit.js';

/** Templates serve the alert events unless told otherwise. */
export const DEFAULT_TEMPLATE_EVENTS: readonly EventType[] = ALERT_EVENT_TYPES;

export interface CompileTemplateOptions {
  name: string;
  /** The event types the template serves (default: the alert.* types). */
  eventTypes?: readonly EventType[];
  /** File named in diagnostics; default `templates/<name>.json`. */
  file?: string;
  /** When the template text sits inside a larger file: positions map into it. */
  origin?: SourceOrigin;
  /** Render budget over the process limits (budget.ts). */
  limits?: Partial<RenderLimits>;
}

export interface CompiledTemplate {
  readonly name: string;
  readonly eventTypes: readonly EventType[];
  /** False when the template has errors: it must be rejected (and never rendered). */
  readonly ok: boolean;
  /** Every mistake, sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  /** The budget every render of it has (and the block nesting it was checked against). */
  readonly limits: RenderLimits;
  serves(type: string): boolean;
  /** The body as a JSON value (fresh objects). Throws TemplateRenderError. */
  render(event: TocsinEvent, settings?: RenderSettings): JsonValue;
  /** The body as compact JSON text, `<`, `>`, `&`, U+2028 and U+2029 escaped. Throws TemplateRenderError. */
  renderJson(event: TocsinEvent, settings?: RenderSettings): string;
}

export type TemplateRenderErrorCode =
  | 'unknown-template'
  | 'template-invalid'
  | 'event-not-served'
  | 'render-failed'
  | 'budget-exceeded';

/** A render that cannot happen; delivery records it as a failed notification (never a silent drop). */
export class TemplateRenderError extends Error {
  readonly code: TemplateRenderErrorCode;
  readonly template: string;
  readonly eventType: string;
  /** For `budget-exceeded`: where in the template the budget ran out. */
  readonly diagnostic: Diagnostic | undefined;
  constructor(
    code: TemplateRenderErrorCode,
    template: string,
    eventType: string,
    message: string,
    cause?: unknown,
    diagnostic?: Diagnostic,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'TemplateRenderError';
    this.code = code;
    this.template = template;
    this.eventType = eventType;
    this.diagnostic = diagnostic;
  }
}

export function compileTemplate(text: string, options: CompileTemplateOptions): CompiledTemplate {
  const origin = options.origin ?? { file: options.file ?? `templates/${options.name}.json`, text };
  const source = textSource(text, options.eventTypes ?? DEFAULT_TEMPLATE_EVENTS, origin);
  return compileSources(options.name, [source], options.limits);
}

// --- Plans -----------------------------------------------------------------------------------

/** Problems of one compilation, merged over the event types it serves. */
class Findings {
  private readonly once = new Map<string, Problem>();
  private readonly tokens = new Map<number, { name: string; span: Span; missing: EventType[]; present: EventType[]; candidates: Set<string> }>();
  private readonly perType = new Map<string, { problem: Problem; types: EventType[] }>();

  add(problem: Problem): void {
    const key = `${problem.span.start}:${problem.code}:${problem.message}`;
    if (!this.once.has(key)) this.once.set(key, problem);
  }

  token(name: string, span: Span, type: EventType, table: VariableTable, found: boolean): void {
    let entry = this.tokens.get(span.start);
    if (entry === undefined) {
      entry = { name, span, missing: [], present: [], candidates: new Set() };
      this.tokens.set(span.start, entry);
    }
    if (found) entry.present.push(type);
    else {
      entry.missing.push(type);
      for (const candidate of table.names) entry.candidates.add(candidate);
    }
  }

  forType(problem: Problem, type: EventType): void {
    const key = `${problem.span.start}:${problem.code}:${problem.message}`;
    const entry = this.perType.get(key);
    if (entry === undefined) this.perType.set(key, { problem, types: [type] });
    else entry.types.push(type);
  }

  all(served: readonly EventType[]): Problem[] {
    const out = [...this.once.values()];
    for (const entry of this.tokens.values()) {
      if (entry.missing.length === 0) continue;
      out.push(entry.present.length === 0 ? problems.unknownVariable(entry.name, entry.span, entry.candidates) : problems.variableNotForEvent(entry.name, entry.span, entry.missing, entry.present));
    }
    for (const { problem, types } of this.perType.values()) {
      out.push(types.length === served.length ? problem : { ...problem, message: `${problem.message} for ${types.join(', ')}` });
    }
    return out;
  }
}

/** Leaf span (offsets in the decoded string) → file span. */
function fileSpan(leaf: JsonStringNode, span: Span): Span {
  const start = leaf.offsetOf(span.start);
  const end = leaf.offsetOf(Math.max(span.start, span.end - 1)) + 1;
  return { start, end: Math.max(end, start + 1) };
}

const inFile = (leaf: JsonStringNode, problem: Problem): Problem => ({ ...problem, span: fileSpan(leaf, problem.span) });

/** A budget error thrown inside a leaf, its span moved into the file (the whole leaf when it has none). */
function placeInLeaf(error: unknown, leaf: JsonStringNode): unknown {
  if (error instanceof RenderBudgetExceeded && !error.inFile) {
    error.span = error.span === null ? leaf.span : fileSpan(leaf, error.span);
    error.inFile = true;
  }
  return error;
}

class PlanBuilder {
  private readonly findings: Findings;
  private readonly leaves: Map<JsonStringNode, ParsedLeaf>;
  private readonly compiled: Map<ParsedLeaf, ReturnType<typeof compileLeaf>>;
  private readonly table: VariableTable;
  private readonly firstType: boolean;
  private readonly maxDepth: number;
  /**
   * Set when a leaf uses Handlebars: only then does a render need a budget while it runs (loops,
   * helpers). Plain #token leaves cannot multiply; the finished body is held to the byte limit.
   */
  readonly budget: { needed: boolean };

  constructor(findings: Findings, leaves: Map<JsonStringNode, ParsedLeaf>, compiled: Map<ParsedLeaf, ReturnType<typeof compileLeaf>>, table: VariableTable, firstType: boolean, maxDepth: number, budget: { needed: boolean }) {
    this.findings = findings;
    this.leaves = leaves;
    this.compiled = compiled;
    this.table = table;
    this.firstType = firstType;
    this.maxDepth = maxDepth;
    this.budget = budget;
  }

  build(node: JsonNode): Plan {
    switch (node.kind) {
      case 'scalar':
        return { kind: 'const', value: node.value };
      case 'array':
        return { kind: 'array', children: node.items.map((item) => this.build(item)) };
      case 'object': {
        const seen = new Set<string>();
        for (const member of node.members) {
          if (seen.has(member.key) && this.firstType) this.findings.add(problems.duplicateKey(member.key, member.keySpan));
          seen.add(member.key);
        }
        return { kind: 'object', keys: node.members.map((m) => m.key), children: node.members.map((m) => this.build(m.value)) };
      }
      case 'string':
        return usesHandlebars(node.value) ? this.handlebars(node) : this.text(node);
    }
  }

  /** The getter of a token, or null (recorded) when this event type has no such variable. */
  private token(leaf: JsonStringNode, name: string, start: number, end: number): Getter | null {
    const resolved = resolveToken(name, this.table);
    this.findings.token(name, fileSpan(leaf, { start, end }), this.table.type, this.table, resolved !== null);
    return resolved === null ? null : tokenGetter(resolved.variable, resolved.key);
  }

  private text(leaf: JsonStringNode): Plan {
    const pieces = scanTokens(leaf.value);
    const only = pieces[0];
    if (pieces.length === 1 && only?.kind === 'token' && only.start === 0 && only.end === leaf.value.length) {
      const get = this.token(leaf, only.name, only.start, only.end);
      return get === null ? { kind: 'const', value: null } : { kind: 'value', get };
    }
    if (!pieces.some((p) => p.kind === 'token')) return { kind: 'const', value: pieces.map((p) => (p.kind === 'text' ? p.text : '')).join('') };
    const literals: string[] = [''];
    const getters: Getter[] = [];
    for (const piece of pieces) {
      if (piece.kind === 'text') literals[literals.length - 1] += piece.text;
      else {
        getters.push(this.token(leaf, piece.name, piece.start, piece.end) ?? (() => null));
        literals.push('');
      }
    }
    // No budget here: a text leaf cannot loop, and the finished body is held to the byte limit.
    return { kind: 'text', get: interpolation(literals, getters) };
  }

  private handlebars(leaf: JsonStringNode): Plan {
    let parsed = this.leaves.get(leaf);
    if (parsed === undefined) {
      parsed = parseLeaf(leaf.value, this.maxDepth);
      this.leaves.set(leaf, parsed);
      for (const problem of parsed.problems) this.findings.add(inFile(leaf, problem));
    }
    for (const problem of checkLeafNames(parsed, this.table.viewFields)) this.findings.forType(inFile(leaf, problem), this.table.type);
    // Resolve the tokens of the plain content (recording unknown ones) even when compiling is pointless.
    const getters: Getter[] = [];
    for (const range of parsed.content) {
      for (const piece of scanTokens(leaf.value, range.start, range.end)) {
        if (piece.kind === 'token') getters.push(this.token(leaf, piece.name, piece.start, piece.end) ?? (() => null));
      }
    }
    if (parsed.problems.length > 0) return { kind: 'const', value: '' };
    let compiled = this.compiled.get(parsed);
    if (compiled === undefined) {
      compiled = compileLeaf(parsed);
      this.compiled.set(parsed, compiled);
    }
    const { render, loops, braces } = compiled;
    this.budget.needed = true;
    const view = this.table.viewReading(compiled.reads);
    const names = getters.map((_, i) => `__t${i}`);
    return {
      kind: 'text',
      get: (ctx) => {
        const data: Record<string, string> = braces ? { ...BRACE_DATA } : {};
        for (let i = 0; i < getters.length; i++) data[names[i]!] = toText(getters[i]!(ctx));
        // Only a leaf with loops is a frame (its output not charged by its loops and helpers
        // already); without, its output is its helpers' (charged) and lookups'.
        const budget = loops ? activeBudget() : null;
        try {
          return budget === null ? render(view(ctx), data) : budget.frame(() => render(view(ctx), data), null);
        } catch (error) {
          throw placeInLeaf(error, leaf);
        }
      },
    };
  }
}

/** `literals[0] + text(getters[0]) + literals[1] + …`, unrolled for the common short cases. */
function interpolation(literals: string[], getters: Getter[]): (ctx: RenderContext) => string {
  const [l0 = '', l1 = '', l2 = ''] = literals;
  const [g0, g1] = getters;
  if (getters.length === 1 && g0) return (ctx) => l0 + toText(g0(ctx)) + l1;
  if (getters.length === 2 && g0 && g1) return (ctx) => l0 + toText(g0(ctx)) + l1 + toText(g1(ctx)) + l2;
  return (ctx) => {
    let out = l0;
    for (let i = 0; i < getters.length; i++) out += toText(getters[i]!(ctx)) + literals[i + 1]!;
    return out;
  };
}

// --- Compilation -----------------------------------------------------------------------------

interface TypePlan {
  value: (ctx: RenderContext) => JsonValue;
  json: (ctx: RenderContext) => string;
  /** A problem's position in the source this plan comes from. */
  place: (problem: Problem) => Diagnostic;
}

/** The problem a render that ran out of its budget reports, at the block or leaf where it did. */
function budgetProblem(error: RenderBudgetExceeded): Problem {
  return problems.renderBudgetExceeded(error.message, error.span ?? { start: 0, end: 1 }, budgetHint(error.kind));
}

/**
 * Runs one render, with a fresh budget when the template uses Handlebars (without, nothing can
 * multiply: its size is bounded by the template's and the event's); the JSON text is checked
 * whole against the byte limit.
 */
function budgeted<T>(limits: RenderLimits, needed: boolean, render: () => T): T {
  const result = needed ? withBudget(new RenderBudget(limits), render) : render();
  // A UTF-8 byte is at most three code units' worth: below a third of the limit, no need to count.
  if (typeof result === 'string' && result.length > limits.maxBytes / 3 && Buffer.byteLength(result) > limits.maxBytes) {
    const error = new RenderBudgetExceeded('bytes', limits.maxBytes, null);
    error.inFile = true;
    throw error;
  }
  return result;
}

function assertEventTypes(types: readonly EventType[]): void {
  for (const type of types) if (!isEventType(type)) throw new TypeError(`unknown event type '${String(type)}'`);
}

/** Compiles one or more texts (each for its own event types) into one template. */
export function compileSources(
  name: string,
  sources: readonly TemplateSource[],
  limitOptions?: Partial<RenderLimits>,
): CompiledTemplate {
  const limits: RenderLimits = { ...renderLimits(), ...limitOptions };
  const budget = { needed: false };
  const diagnostics: Diagnostic[] = [];
  const plans = new Map<EventType, TypePlan>();
  const servedTypes: EventType[] = [];
  for (const source of sources) {
    assertEventTypes(source.eventTypes);
    for (const type of source.eventTypes) {
      if (servedTypes.includes(type)) throw new TypeError(`template '${name}' lists event type ${type} twice`);
      servedTypes.push(type);
    }
    const place = (problem: Problem) => locate(problem, source.text, source.origin);
    if (!source.parsed.ok) {
      diagnostics.push(place(source.parsed.problem));
      continue;
    }
    const findings = new Findings();
    const leaves = new Map<JsonStringNode, ParsedLeaf>();
    const compiled = new Map<ParsedLeaf, ReturnType<typeof compileLeaf>>();
    const sourcePlans = new Map<EventType, Plan>();
    source.eventTypes.forEach((type, index) => {
      sourcePlans.set(type, new PlanBuilder(findings, leaves, compiled, variablesFor(type), index === 0, limits.maxDepth, budget).build(source.parsed.ok ? source.parsed.node : { kind: 'scalar', span: { start: 0, end: 1 }, value: null }));
    });
    const found = findings.all(source.eventTypes);
    if (found.length > 0) {
      diagnostics.push(...found.map(place));
      continue;
    }
    for (const [type, plan] of sourcePlans) {
      const typePlan: TypePlan = { value: valueEmitter(plan), json: textEmitter(plan), place };
      // Handlebars compiles lazily and helpers could misbehave on odd input: render the type's
      // example event now, with the budget of every render, so a problem shows at load time and
      // not at send time.
      try {
        const ctx: RenderContext = { event: sampleEvent(type), settings: PREVIEW_SETTINGS };
        budgeted(limits, budget.needed, () => typePlan.json(ctx));
        budgeted(limits, budget.needed, () => typePlan.value({ event: ctx.event, settings: PREVIEW_SETTINGS }));
      } catch (error) {
        if (error instanceof RenderBudgetExceeded) {
          const problem = budgetProblem(error);
          diagnostics.push(place({ ...problem, message: `${type} example event: ${problem.message}` }));
        } else {
          diagnostics.push(place(problems.renderCheckFailed(`${type}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { start: 0, end: 1 })));
        }
        continue;
      }
      plans.set(type, typePlan);
    }
  }
  const sorted = sortDiagnostics(diagnostics);
  const ok = sorted.every((d) => d.severity !== 'error');
  const planFor = (event: TocsinEvent): TypePlan => {
    const type = event?.type;
    if (!ok) throw new TemplateRenderError('template-invalid', name, String(type), `template '${name}' has errors and cannot render`);
    const plan = plans.get(type);
    if (plan === undefined) throw new TemplateRenderError('event-not-served', name, String(type), `template '${name}' does not serve ${String(type)} (it serves ${servedTypes.join(', ')})`);
    return plan;
  };
  const failed = (plan: TypePlan, event: TocsinEvent, error: unknown) => {
    if (error instanceof RenderBudgetExceeded) {
      const diagnostic = plan.place(budgetProblem(error));
      const where = `line ${diagnostic.line}, column ${diagnostic.column}`;
      const failure = `template '${name}' failed for ${event.type} ${event.id}: ${error.message}`;
      const message = `${failure} (at ${where} of the template)`;
      return new TemplateRenderError('budget-exceeded', name, event.type, message, error, diagnostic);
    }
    return new TemplateRenderError('render-failed', name, event.type, `template '${name}' failed for ${event.type} ${event.id}: ${error instanceof Error ? error.message : String(error)}`, error);
  };
  const noSettings: RenderSettings = {};
  return {
    name,
    eventTypes: servedTypes,
    ok,
    diagnostics: sorted,
    limits,
    serves: (type) => plans.has(type as EventType),
    render(event, settings) {
      const plan = planFor(event);
      try {
        return budgeted(limits, budget.needed, () => plan.value({ event, settings: settings ?? noSettings }));
      } catch (error) {
        throw failed(plan, event, error);
      }
    },
    renderJson(event, settings) {
      const plan = planFor(event);
      try {
        return budgeted(limits, budget.needed, () => plan.json({ event, settings: settings ?? noSettings }));
      } catch (error) {
        throw failed(plan, event, error);
      }
    },
  };
}
