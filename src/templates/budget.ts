/**
 * Every render has a budget (SPEC §6, issue 14): the nesting of block helpers is checked when a
 * template is loaded, and iterations, work and output bytes are counted while it renders. Four
 * nested {{#each @root.tags}} over 60 tags wrote 15.7 MB in 4 s before; with a budget the render
 * stops at the first limit with an error that names the block (or leaf) where it ran out.
 *
 * Renders are synchronous, so the budget of the render in progress is module state set for its
 * duration (`withBudget`): the `each` helper, tocsin's helpers and the leaves reach it without
 * threading it through Handlebars.
 */
import type { Span } from '../parser/diagnostics.js';

export interface RenderLimits {
  /** Block helpers ({{#each}}, {{#if}}, {{#with}}, {{#unless}}) nested deeper than this are refused at load. */
  maxDepth: number;
  /** {{#each}} iterations per render, all loops together. */
  maxIterations: number;
  /** Output per render, in bytes (UTF-16 code units while rendering; the finished body in UTF-8 bytes). */
  maxBytes: number;
}

export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxDepth: 3,
  maxIterations: 10_000,
  maxBytes: 1024 * 1024,
});

/**
 * Work per iteration: each {{#each}} iteration also counts the expressions of its body (a call of
 * formatDate or duration as HEAVY_CALL_WEIGHT), and a render may do STEPS_PER_ITERATION times the
 * iteration limit of them. Without it one iteration of a body of 10,000 {{#if}}s would be as cheap
 * to the budget as one of `{{@key}}`.
 */
export const STEPS_PER_ITERATION = 10;
export const HEAVY_CALL_WEIGHT = 20;

/** The environment variables that set the limits (docs/operations.md "Limits"). */
export const RENDER_LIMIT_VARIABLES: Readonly<Record<keyof RenderLimits, string>> = Object.freeze({
  maxDepth: 'TOCSIN_TEMPLATE_MAX_DEPTH',
  maxIterations: 'TOCSIN_RENDER_MAX_ITERATIONS',
  maxBytes: 'TOCSIN_RENDER_MAX_BYTES',
});

/** The limits an environment sets over the defaults, or what is wrong with one of its values. */
export function renderLimitsFromEnv(
  env: NodeJS.ProcessEnv,
): { ok: true; limits: RenderLimits } | { ok: false; error: string } {
  const limits: RenderLimits = { ...DEFAULT_RENDER_LIMITS };
  for (const key of Object.keys(RENDER_LIMIT_VARIABLES) as Array<keyof RenderLimits>) {
    const name = RENDER_LIMIT_VARIABLES[key];
    const text = env[name];
    if (text === undefined || text.trim() === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) {
      const error = `${name} must be a whole number of at least 1, got '${text}'`;
      return { ok: false, error: `${error} (default ${DEFAULT_RENDER_LIMITS[key]})` };
    }
    limits[key] = value;
  }
  return { ok: true, limits };
}

let processLimits: RenderLimits | null = null;

/**
 * The limits of this process: set at start (`setRenderLimits`, from the environment by the CLI),
 * else the environment's values when valid, else the defaults.
 */
export function renderLimits(): RenderLimits {
  if (processLimits === null) {
    const fromEnv = renderLimitsFromEnv(process.env);
    processLimits = fromEnv.ok ? fromEnv.limits : { ...DEFAULT_RENDER_LIMITS };
  }
  return processLimits;
}

/** Replaces the process limits (null: back to the environment and defaults). Templates compiled before keep theirs. */
export function setRenderLimits(limits: Partial<RenderLimits> | null): void {
  processLimits = limits === null ? null : { ...renderLimits(), ...limits };
}

export type BudgetKind = 'depth' | 'iterations' | 'steps' | 'bytes';

/**
 * A render ran out of its budget. `span` is where: offsets in the leaf text while the leaf
 * renders, then in the template file once compile.ts has mapped it (`inFile`).
 */
export class RenderBudgetExceeded extends Error {
  readonly kind: BudgetKind;
  readonly limit: number;
  span: Span | null;
  inFile: boolean;
  constructor(kind: BudgetKind, limit: number, span: Span | null) {
    super(budgetMessage(kind, limit));
    this.name = 'RenderBudgetExceeded';
    this.kind = kind;
    this.limit = limit;
    this.span = span;
    this.inFile = false;
  }
}

function budgetMessage(kind: BudgetKind, limit: number): string {
  switch (kind) {
    case 'iterations':
      return `the render ran out of its budget of ${limit} {{#each}} iterations`;
    case 'steps':
      return `the render ran out of its budget of work (${limit} expressions evaluated inside {{#each}} loops)`;
    case 'bytes':
      return `the render ran out of its budget of ${limit} bytes of output`;
    case 'depth':
      return `block helpers are nested more than ${limit} deep`;
  }
}

export function budgetHint(kind: BudgetKind): string {
  const variable = kind === 'bytes' ? RENDER_LIMIT_VARIABLES.maxBytes : RENDER_LIMIT_VARIABLES.maxIterations;
  return kind === 'depth'
    ? 'nest fewer blocks, e.g. move the inner loop out of the outer one; ' +
      `the limit is ${RENDER_LIMIT_VARIABLES.maxDepth} (docs/operations.md "Limits")`
    : 'loop over fewer items (nested {{#each}} multiply), print less per item, ' +
      `or raise ${variable} (docs/operations.md "Limits")`;
}

/** A block's cost per iteration and where it is in the leaf. */
export interface BlockCost {
  weight: number;
  span: Span;
}

export class RenderBudget {
  readonly limits: RenderLimits;
  readonly maxSteps: number;
  iterations = 0;
  steps = 0;
  bytes = 0;
  /** Bytes charged inside the frame in progress (see `frame`). */
  private inner = 0;
  /** The {{#each}} blocks of the leaf rendering now, by position (handlebars-cost.ts). */
  blocks: ReadonlyMap<string, BlockCost> | null = null;

  constructor(limits: RenderLimits) {
    this.limits = limits;
    this.maxSteps = limits.maxIterations * STEPS_PER_ITERATION;
  }

  /** One {{#each}} iteration of a block that costs `cost.weight` steps. */
  iterate(cost: BlockCost | undefined): void {
    const span = cost?.span ?? null;
    if (++this.iterations > this.limits.maxIterations) {
      throw new RenderBudgetExceeded('iterations', this.limits.maxIterations, span);
    }
    this.steps += cost?.weight ?? 1;
    if (this.steps > this.maxSteps) throw new RenderBudgetExceeded('steps', this.maxSteps, span);
  }

  /** Output (or text a helper produced) of `length` code units. */
  charge(length: number, span: Span | null = null): void {
    this.bytes += length;
    this.inner += length;
    if (this.bytes > this.limits.maxBytes) throw new RenderBudgetExceeded('bytes', this.limits.maxBytes, span);
  }

  /**
   * Runs `render` and charges the length of its text that was not charged inside it already
   * (by helpers or nested frames), so nested loops are not counted once per level. Text a helper
   * produced that the frame did not print stays charged: it was work.
   */
  frame(render: () => string, span: Span | null): string {
    const outer = this.inner;
    this.inner = 0;
    let out: string;
    let inside: number;
    try {
      out = render();
    } catch (error) {
      // V8's longest string (~512 MiB) is far beyond any budget: that is running out of bytes too.
      if (error instanceof RangeError && /string length/i.test(error.message)) {
        throw new RenderBudgetExceeded('bytes', this.limits.maxBytes, span);
      }
      throw error;
    } finally {
      inside = this.inner;
      this.inner = outer + inside;
    }
    if (out.length > inside) this.charge(out.length - inside, span);
    return out;
  }
}

let active: RenderBudget | null = null;

/** The budget of the render in progress, if any. */
export function activeBudget(): RenderBudget | null {
  return active;
}

/** Runs one render with its budget in force. */
export function withBudget<T>(budget: RenderBudget, render: () => T): T {
  const previous = active;
  active = budget;
  try {
    return render();
  } finally {
    active = previous;
  }
}
