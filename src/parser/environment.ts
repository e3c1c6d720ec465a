/**
 * What an expression may name: variables (with their types and where they live in the context)
 * and functions (with their overloads). Environments are immutable; `extend` returns a new one,
 * so the engine can add names without affecting other users of the default environment.
 */
import { BOOLEAN, MAP, NULL, NUMBER, STRING, type Type } from './types.js';

/** How a variable is read from the evaluation context: a property path, from the root. */
export interface VariableDeclaration {
  /** Dotted name as written in expressions: `entity.tags`, `value`. */
  name: string;
  type: Type;
  /** Property path in the context object. */
  path: readonly string[];
  /**
   * For `metric` and `entity`: the context may hold the name as a string or an object with `name`.
   * The expression `entity` means the name in both cases.
   */
  nameOfObject?: boolean;
  /** Epoch milliseconds that the context may also give as an ISO 8601 string. */
  timestamp?: boolean;
  description: string;
}

export type FunctionKind = 'scalar' | 'window';

export interface Overload {
  params: readonly Type[];
  /** When set, the last parameter repeats (coalesce). */
  variadic?: boolean;
  /** Number of trailing optional parameters. */
  optional?: number;
  result: Type;
}

export interface FunctionDeclaration {
  name: string;
  kind: FunctionKind;
  overloads: readonly Overload[];
  signature: string;
  description: string;
}

export class Environment {
  private readonly variables: ReadonlyMap<string, VariableDeclaration>;
  private readonly functions: ReadonlyMap<string, FunctionDeclaration>;
  readonly timezone: string;

  constructor(
    variables: Iterable<VariableDeclaration>,
    functions: Iterable<FunctionDeclaration>,
    timezone = 'UTC',
  ) {
    this.variables = new Map([...variables].map((v) => [v.name, v]));
    this.functions = new Map([...functions].map((f) => [f.name, f]));
    this.timezone = timezone;
  }

  variable(name: string): VariableDeclaration | undefined {
    return this.variables.get(name);
  }

  function(name: string): FunctionDeclaration | undefined {
    return this.functions.get(name);
  }

  variableNames(): string[] {
    return [...this.variables.keys()];
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  /** Field names directly under `prefix` (`entity` → label, enabled, tags, name). */
  fieldsOf(prefix: string): string[] {
    const fields: string[] = [];
    for (const name of this.variables.keys()) {
      if (name.startsWith(prefix + '.')) {
        const rest = name.slice(prefix.length + 1);
        if (!rest.includes('.')) fields.push(rest);
      }
    }
    return fields;
  }

  extend(additions: { variables?: VariableDeclaration[]; functions?: FunctionDeclaration[]; timezone?: string }): Environment {
    return new Environment(
      [...this.variables.values(), ...(additions.variables ?? [])],
      [...this.functions.values(), ...(additions.functions ?? [])],
      additions.timezone ?? this.timezone,
    );
  }
}

const v = (name: string, type: Type, description: string, extra: Partial<VariableDeclaration> = {}): VariableDeclaration => ({
  name, type, path: name.split('.'), description, ...extra,
});

export const DEFAULT_VARIABLES: readonly VariableDeclaration[] = [
  v('value', NUMBER | NULL, 'the sample value; null when the sample carries no number'),
  v('text', STRING | NULL, 'the text annotation of the sample'),
  v('time', NUMBER | NULL, 'the sample time, epoch milliseconds', { timestamp: true }),
  v('now', NUMBER | NULL, 'the engine clock, epoch milliseconds (data time in replay)', { timestamp: true }),
  v('metric', STRING | NULL, 'the metric name', { path: ['metric'], nameOfObject: true }),
  // The same as `metric`: the context may give the metric as a bare name.
  v('metric.name', STRING | NULL, 'the metric name', { path: ['metric'], nameOfObject: true }),
  v('metric.label', STRING | NULL, 'the metric label from metric metadata'),
  v('metric.units', STRING | NULL, 'the metric units from metric metadata'),
  v('metric.description', STRING | NULL, 'the metric description from metric metadata'),
  v('metric.tags', MAP, 'tags of the metric metadata'),
  v('entity', STRING | NULL, 'the entity name', { path: ['entity'], nameOfObject: true }),
  v('entity.name', STRING | NULL, 'the entity name', { path: ['entity'], nameOfObject: true }),
  v('entity.label', STRING | NULL, 'the entity label'),
  v('entity.enabled', BOOLEAN | NULL, 'whether the entity is enabled'),
  v('entity.tags', MAP, 'tags of the entity'),
  v('tags', MAP, 'tags of the sample (series tags)'),
  v('rule', STRING | NULL, 'the rule name'),
  v('severity', STRING | NULL, 'the severity of the rule (after overrides)'),
  v('status', STRING | NULL, "the alert status: 'inactive', 'pending', 'open', 'repeat' or 'cancel'"),
  v('before_status', STRING | NULL, 'the alert status before this evaluation'),
  v('repeat_count', NUMBER | NULL, 'how many repeats this alert has sent; 0 on open'),
  v('open_value', NUMBER | NULL, 'the value that opened the alert'),
  v('alert_duration', NUMBER | NULL, 'seconds since the alert opened'),
];

const NUM = NUMBER | NULL;
const STR = STRING | NULL;
const BOOL = BOOLEAN | NULL;
/** The optional window argument: last N samples (number) or a span (string literal such as '5 minute'). */
const RANGE = NUMBER | STRING;

const scalar = (name: string, signature: string, description: string, ...overloads: Overload[]): FunctionDeclaration => ({
  name, kind: 'scalar', overloads, signature, description,
});
const windowFn = (name: string, description: string, result: Type = NUM): FunctionDeclaration => ({
  name,
  kind: 'window',
  overloads: [{ params: [RANGE], optional: 1, result }],
  signature: `${name}([n | 'span'])`,
  description,
});

export const DEFAULT_FUNCTIONS: readonly FunctionDeclaration[] = [
  windowFn('avg', 'arithmetic mean of the values in the window'),
  windowFn('min', 'smallest value in the window'),
  windowFn('max', 'largest value in the window'),
  windowFn('sum', 'sum of the values in the window'),
  windowFn('count', 'number of non-null values in the window', NUMBER),
  windowFn('median', 'median of the values in the window (percentile 50, R6)'),
  {
    name: 'percentile', kind: 'window',
    overloads: [{ params: [NUMBER, RANGE], optional: 1, result: NUM }],
    signature: "percentile(p[, n | 'span'])",
    description: 'p-th percentile (0–100) of the values in the window, R6 method (Hyndman & Fan type 6)',
  },
  windowFn('stdev', 'sample standard deviation (n − 1) of the values in the window'),
  windowFn('variance', 'sample variance (n − 1) of the values in the window'),
  windowFn('first', 'oldest non-null value in the window'),
  windowFn('last', 'newest non-null value in the window'),
  windowFn('delta', 'last − first'),
  windowFn('rate', '(last − first) per second between their sample times'),
  windowFn('wavg', 'weighted average, weights 1…n from oldest to newest sample'),

  scalar('abs', 'abs(x)', 'absolute value', { params: [NUM], result: NUM }),
  scalar('round', 'round(x[, digits])', 'round half away from zero, to `digits` decimals (default 0)', { params: [NUM, NUM], optional: 1, result: NUM }),
  scalar('floor', 'floor(x)', 'largest integer ≤ x', { params: [NUM], result: NUM }),
  scalar('ceil', 'ceil(x)', 'smallest integer ≥ x', { params: [NUM], result: NUM }),
  scalar('sqrt', 'sqrt(x)', 'square root; null for negative x', { params: [NUM], result: NUM }),
  scalar('log', 'log(x[, base])', 'natural logarithm, or to the given base; null for x ≤ 0', { params: [NUM, NUM], optional: 1, result: NUM }),
  scalar('exp', 'exp(x)', 'e to the power x', { params: [NUM], result: NUM }),
  scalar('pow', 'pow(x, y)', 'x to the power y', { params: [NUM, NUM], result: NUM }),
  scalar('coalesce', 'coalesce(a, b, …)', 'the first argument that is not null', { params: [NUMBER | STRING | BOOLEAN | NULL], variadic: true, result: NUMBER | STRING | BOOLEAN | NULL }),
  scalar('lower', 'lower(s)', 'lower-case text', { params: [STR], result: STR }),
  scalar('upper', 'upper(s)', 'upper-case text', { params: [STR], result: STR }),
  scalar('contains', 'contains(s, part)', 'true when s contains part (case-sensitive)', { params: [STR, STR], result: BOOLEAN }),
  scalar('startsWith', 'startsWith(s, prefix)', 'true when s starts with prefix', { params: [STR, STR], result: BOOLEAN }),
  scalar('endsWith', 'endsWith(s, suffix)', 'true when s ends with suffix', { params: [STR, STR], result: BOOLEAN }),
  scalar('length', 'length(s)', 'number of characters in s', { params: [STR], result: NUM }),
  scalar('toNumber', 'toNumber(x)', 'a number from text (null when it is not one), a number, or a boolean (1/0)', { params: [NUMBER | STRING | BOOLEAN | NULL], result: NUM }),
  scalar('hour', 'hour([time])', "hour of the day 0–23 of the sample time (or the given epoch ms) in the rule's time zone", { params: [NUM], optional: 1, result: NUM }),
  scalar('dayOfWeek', 'dayOfWeek([time])', "day of the week 1 (Monday) – 7 (Sunday) of the sample time in the rule's time zone", { params: [NUM], optional: 1, result: NUM }),
];

export const defaultEnvironment = new Environment(DEFAULT_VARIABLES, DEFAULT_FUNCTIONS);
