/**
 * Loading a config directory: every YAML file is parsed (keeping positions), validated against
 * schemas/rules.schema.json, converted to RuleDefinitions with every expression compiled, and
 * checked across files (unique names, notify targets). All mistakes of all files come back at
 * once, sorted; any error means no RuleSet at all, so a bad file never replaces a good running
 * configuration (SPEC §3).
 */
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { locate, sortDiagnostics, type Diagnostic } from '../../parser/diagnostics.js';
import type { RuleDefinition, RuleTestSpec } from '../rule.js';
import { convertRule } from './convert-rule.js';
import * as problems from './problems.js';
import type { ConfigFile, Declaration, LoadResult, RuleSet } from './rule-set.js';
import { validateRuleFile } from './schema.js';
import { collectDeclarations, collectTests, loadTemplateFile } from './sections.js';
import { YamlSource, type DataPath } from './yaml-source.js';

export type { ConfigFile, Declaration, DeclarationOrigin, LoadResult, LoadSummary, RuleSet } from './rule-set.js';

export interface LoadOptions {
  /**
   * Further checks by other modules (webhooks, templates) on the loaded set, run even when it has
   * errors so that every mistake is reported at once; their errors make the load fail too.
   */
  check?: (candidate: RuleSet) => Diagnostic[];
}

/** Template presets (SPEC §5); a notify target may name them without declaring them. */
export const TEMPLATE_PRESETS: readonly string[] = ['flat', 'alertmanager', 'slack', 'teams', 'pagerduty', 'events', 'test'];

/** A config directory that cannot be loaded at all (missing, not a directory); a usage error. */
export class ConfigDirectoryError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string) {
    super(message);
    this.name = 'ConfigDirectoryError';
    this.hint = hint;
  }
}

const YAML_FILE = /\.ya?ml$/i;
const JSON_FILE = /\.json$/i;

/**
 * Loads `dir/*.yaml`, `dir/*.yml` and `dir/templates/*.json` (sorted by name; subdirectories
 * other than templates/ are not read). Throws ConfigDirectoryError only when `dir` itself is
 * unusable; every mistake inside the files is a diagnostic. Synchronous: a config directory is a
 * handful of small files, read at startup and on reload.
 */
export function loadRuleDirectory(dir: string, options: LoadOptions = {}): LoadResult {
  const info = statOrNull(dir);
  if (!info) throw new ConfigDirectoryError(`config directory '${dir}' does not exist`, 'pass the directory that holds your rule files (*.yaml), e.g. tocsin check rules');
  if (!info.isDirectory()) throw new ConfigDirectoryError(`'${dir}' is not a directory`, 'pass the directory that holds your rule files (*.yaml), not a single file');

  const ruleFiles = listFiles(dir).filter((name) => YAML_FILE.test(name)).map((name) => join(dir, name));
  const templateDir = join(dir, 'templates');
  const templateFiles = listFiles(templateDir).filter((name) => JSON_FILE.test(name)).map((name) => join(templateDir, name));

  const files: ConfigFile[] = [];
  const unreadable: Diagnostic[] = [];
  for (const file of [...ruleFiles, ...templateFiles]) {
    try {
      files.push({ file, text: readFileSync(file, 'utf8') });
    } catch (error) {
      const problem = problems.unreadableFile(error instanceof Error ? error.message : String(error));
      unreadable.push({ severity: 'error', ...problem, file, line: 1, column: 1, length: 1 });
    }
  }
  const result = loadRuleFiles(files, options);
  if (unreadable.length === 0) return result;
  const diagnostics = sortDiagnostics([...result.diagnostics, ...unreadable]);
  return {
    ruleSet: null,
    diagnostics,
    summary: { ...result.summary, files: result.summary.files + unreadable.length, errors: result.summary.errors + unreadable.length },
  };
}

/**
 * Names of the regular files in `dir`, sorted; symbolic links are followed (a Kubernetes ConfigMap
 * mounts its files as links) and hidden entries skipped (editor files, ConfigMap's `..data`).
 */
function listFiles(dir: string): string[] {
  if (!statOrNull(dir)?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.'))
    .filter((entry) => entry.isFile() || (entry.isSymbolicLink() && statOrNull(join(dir, entry.name))?.isFile() === true))
    .map((entry) => entry.name)
    .sort();
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const isFields = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Loads files given as text (tests, `POST /api/v1/rules/check`): `.json` files are template
 * files named by their file name, everything else is a YAML rule file. Pure: no I/O, no clock.
 */
export function loadRuleFiles(files: readonly ConfigFile[], options: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const rules: Array<{ rule: RuleDefinition; source: YamlSource; path: DataPath }> = [];
  const tests: RuleTestSpec[] = [];
  const webhooks: Declaration[] = [];
  const templates: Declaration[] = [];

  for (const file of files) {
    if (JSON_FILE.test(file.file)) {
      const template = loadTemplateFile(file);
      diagnostics.push(...template.diagnostics);
      if (template.declaration) templates.push(template.declaration);
      continue;
    }
    const source = new YamlSource(file.file, file.text);
    diagnostics.push(...source.syntaxDiagnostics());
    // A file with syntax errors would only produce confusing follow-up errors.
    if (source.hasSyntaxErrors) continue;
    const read = source.data();
    if ('error' in read) {
      diagnostics.push(read.error);
      continue;
    }
    const data = read.value;
    diagnostics.push(...validateRuleFile(data, source));
    if (!isFields(data)) continue;
    const section = Array.isArray(data.rules) ? (data.rules as unknown[]) : [];
    section.forEach((item, index) => {
      const converted = convertRule(source, item, index);
      diagnostics.push(...converted.diagnostics);
      rules.push({ rule: converted.rule, source, path: converted.path });
    });
    tests.push(...collectTests(source, data.tests));
    webhooks.push(...collectDeclarations(source, data.webhooks, 'webhooks'));
    templates.push(...collectDeclarations(source, data.templates, 'templates'));
  }

  diagnostics.push(...duplicateRules(rules), ...duplicateDeclarations(webhooks), ...duplicateDeclarations(templates));
  diagnostics.push(...unknownTargets(rules, webhooks, templates));

  const candidate: RuleSet = { rules: rules.map((r) => r.rule), tests, webhooks, templates, files: files.map((f) => f.file) };
  if (options.check) diagnostics.push(...options.check(candidate));
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  return {
    ruleSet: errors > 0 ? null : candidate,
    diagnostics: sorted,
    summary: { files: files.length, rules: rules.length, errors, warnings: sorted.length - errors },
  };
}

function duplicateRules(rules: ReadonlyArray<{ rule: RuleDefinition; source: YamlSource; path: DataPath }>): Diagnostic[] {
  const first = new Map<string, { file: string; line: number }>();
  const diagnostics: Diagnostic[] = [];
  for (const { rule, source, path } of rules) {
    if (rule.name === '') continue;
    const earlier = first.get(rule.name);
    if (earlier) diagnostics.push(source.at(source.valueSpan([...path, 'name']), problems.duplicateName('rule', rule.name, earlier)));
    else first.set(rule.name, { file: rule.file, line: rule.line });
  }
  return diagnostics;
}

function duplicateDeclarations(declarations: readonly Declaration[]): Diagnostic[] {
  const first = new Map<string, { file: string; line: number }>();
  const diagnostics: Diagnostic[] = [];
  for (const { kind, name, origin, source } of declarations) {
    const earlier = first.get(name);
    if (!earlier) {
      first.set(name, { file: origin.file, line: origin.line });
      continue;
    }
    const span = origin.spanOf(source === 'yaml' ? ['name'] : []);
    diagnostics.push(locate({ ...problems.duplicateName(kind, name, earlier), span }, origin.text, { file: origin.file, text: origin.text }));
  }
  return diagnostics;
}

/**
 * Webhooks and templates may also be created through the API, so a name declared nowhere in the
 * directory is only a warning, and only when the directory declares some (then it is likely a typo).
 */
function unknownTargets(
  rules: ReadonlyArray<{ rule: RuleDefinition; source: YamlSource; path: DataPath }>,
  webhooks: readonly Declaration[],
  templates: readonly Declaration[],
): Diagnostic[] {
  const webhookNames = [...new Set(webhooks.map((w) => w.name))];
  const templateNames = [...new Set([...templates.map((t) => t.name), ...TEMPLATE_PRESETS])];
  const diagnostics: Diagnostic[] = [];
  for (const { rule, source, path } of rules) {
    rule.notify.forEach((target, index) => {
      if (webhookNames.length > 0 && !webhookNames.includes(target.webhook)) {
        diagnostics.push(source.at(source.valueSpan([...path, 'notify', index, 'webhook']), problems.unknownWebhook(target.webhook, webhookNames)));
      }
      if (templates.length > 0 && target.template !== undefined && !templateNames.includes(target.template)) {
        diagnostics.push(source.at(source.valueSpan([...path, 'notify', index, 'template']), problems.unknownTemplate(target.template, templateNames)));
      }
    });
  }
  return diagnostics;
}
