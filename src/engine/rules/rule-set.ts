/**
 * What loading a config directory produces: the rules, their tests, and the webhooks and
 * templates declared in files, each with its origin so the modules that validate them further
 * (delivery, templates, `tocsin test`) can report positions in the same files.
 */
import type { Diagnostic, Span } from '../../parser/diagnostics.js';
import type { RuleDefinition, RuleTestSpec } from '../rule.js';

/** One file given to the loader: YAML rule files, and `templates/NAME.json` template files. */
export interface ConfigFile {
  /** The path shown in diagnostics (`rules/docker.yaml`). */
  file: string;
  text: string;
}

export interface DeclarationOrigin {
  file: string;
  /** The whole file text. */
  text: string;
  /** 1-based position of the declaration in the file. */
  line: number;
  column: number;
  /**
   * Span in `text` of the value at `path` inside the declared object (`['url']`, `['auth', 'token']`),
   * or of the nearest part that exists. For a template file, `['body', …]` reaches into its JSON.
   */
  spanOf(path: ReadonlyArray<string | number>): Span;
}

/** A webhook or template declared in a file; its own module validates `value` with its own schema. */
export interface Declaration {
  kind: 'webhook' | 'template';
  name: string;
  /**
   * The object as written: a `webhooks:` / `templates:` item (defaults not applied), or for a
   * `templates/NAME.json` file `{ name: NAME, body: <the parsed JSON> }`.
   */
  value: Record<string, unknown>;
  source: 'yaml' | 'template-file';
  origin: DeclarationOrigin;
}

export interface RuleSet {
  /** Rules in file order (files in the order given; loadRuleDirectory sorts them by name). */
  rules: RuleDefinition[];
  tests: RuleTestSpec[];
  webhooks: Declaration[];
  templates: Declaration[];
  /** Every file that was loaded. */
  files: string[];
}

export interface LoadSummary {
  files: number;
  /** Rules found, valid or not. */
  rules: number;
  errors: number;
  warnings: number;
}

export interface LoadResult {
  /** null when any diagnostic is an error: loading is all-or-nothing. */
  ruleSet: RuleSet | null;
  /** Every error and warning of every file, sorted by file, line and column. */
  diagnostics: Diagnostic[];
  summary: LoadSummary;
}
