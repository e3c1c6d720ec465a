/**
 * The configuration in force: rules, webhooks and templates, from the config directory (YAML and
 * templates/NAME.json) and from the store (objects managed through the API). Building it is
 * all-or-nothing: any error anywhere and the caller keeps the configuration it has (SPEC §3).
 */
import { loadRuleDirectory, loadRuleFiles, type ConfigFile, type Declaration, type RuleSet } from '../engine/rules/load.js';
import type { RuleDefinition } from '../engine/rule.js';
import { findDuplicateWebhooks, parseWebhook, type Webhook, type WebhookProblem } from '../delivery/webhook.js';
import { checkTemplateDeclaration, compileTemplate, isPresetName, type CompiledTemplate } from '../templates/index.js';
import { locate, sortDiagnostics, type Diagnostic } from '../parser/diagnostics.js';
import type { ConfigStore } from '../store/store.js';
import { secretSourceProblems, type SecretPolicy } from '../delivery/secret-policy.js';

export interface ConfigurationOptions {
  /**
   * What webhooks managed through the API may name as secret sources; their relative `file:` paths
   * are read from its directory. Without it they are read from the working directory, unchecked.
   */
  secrets?: SecretPolicy;
}

export type ConfigSource = 'file' | 'api';

export interface Configuration {
  rules: RuleDefinition[];
  webhooks: Map<string, Webhook>;
  templates: Map<string, CompiledTemplate>;
  /** Where each webhook and template comes from: files cannot be changed through the API. */
  sources: { webhooks: Map<string, ConfigSource>; templates: Map<string, ConfigSource> };
  ruleSet: RuleSet;
}

export type ConfigurationResult = { ok: true; config: Configuration; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** Maps a delivery problem (a JSON pointer into the webhook) to a position in its file. */
function webhookDiagnostic(problem: WebhookProblem, declaration: Declaration): Diagnostic {
  const path = problem.pointer.split('/').filter((part) => part !== '').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const span = declaration.origin.spanOf(path);
  const placed = locate({ code: problem.code, message: `webhook '${declaration.name}': ${problem.message}`, span, severity: problem.severity, ...(problem.hint ? { hint: problem.hint } : {}) }, declaration.origin.text, {
    file: declaration.origin.file,
    text: declaration.origin.text,
  });
  return placed;
}

/**
 * A problem of an object managed through the API, which has no file to point into. Warnings keep
 * their own code and severity: they are reported, never a reason to refuse a start or a reload.
 */
function apiDiagnostic(
  kind: string, name: string, message: string, hint?: string, problem?: Pick<WebhookProblem, 'code' | 'severity'>,
): Diagnostic {
  const diagnostic: Diagnostic = {
    severity: problem?.severity ?? 'error', code: problem?.code ?? `invalid-stored-${kind}`,
    message: `${kind} '${name}' (managed through the API): ${message}`,
    file: `<api ${kind}s>`, line: 1, column: 1, length: 1,
  };
  if (hint) diagnostic.hint = hint;
  return diagnostic;
}

/** Webhooks and templates declared in files, checked by their own modules. */
function checkDeclarations(
  ruleSet: RuleSet, baseDir: string, stored: ConfigStore | null, options: ConfigurationOptions = {},
) {
  const diagnostics: Diagnostic[] = [];
  const webhooks = new Map<string, Webhook>();
  const templates = new Map<string, CompiledTemplate>();
  const sources = { webhooks: new Map<string, ConfigSource>(), templates: new Map<string, ConfigSource>() };
  const fileWebhooks: Array<{ webhook: Webhook; declaration: Declaration }> = [];

  for (const declaration of ruleSet.webhooks) {
    const parsed = parseWebhook(declaration.value, { baseDir });
    if (!parsed.ok) {
      diagnostics.push(...parsed.problems.map((p) => webhookDiagnostic(p, declaration)));
      continue;
    }
    diagnostics.push(...parsed.warnings.map((p) => webhookDiagnostic(p, declaration)));
    webhooks.set(parsed.webhook.name, parsed.webhook);
    sources.webhooks.set(parsed.webhook.name, 'file');
    fileWebhooks.push({ webhook: parsed.webhook, declaration });
  }
  for (const declaration of ruleSet.templates) {
    const checked = checkTemplateDeclaration(declaration);
    diagnostics.push(...checked.diagnostics);
    if (checked.template) {
      templates.set(declaration.name, checked.template);
      sources.templates.set(declaration.name, 'file');
    }
  }

  if (stored) {
    for (const object of stored.listConfigObjects('webhook')) {
      if (sources.webhooks.has(object.name)) {
        diagnostics.push(apiDiagnostic('webhook', object.name, 'is also defined in a file; a name may be defined in one place only', 'delete it through the API or remove it from the file'));
        continue;
      }
      const parsed = parseWebhook(object.body, options.secrets?.dir ? { baseDir: options.secrets.dir } : {});
      if (!parsed.ok) {
        diagnostics.push(apiDiagnostic('webhook', object.name, parsed.problems.map((p) => `${p.pointer} ${p.message}`).join('; ')));
        continue;
      }
      const warn = (p: WebhookProblem) =>
        apiDiagnostic('webhook', object.name, `${p.pointer || '/'} ${p.message}`, p.hint, p);
      diagnostics.push(...parsed.warnings.map(warn));
      // Stored before the API checked secret sources (or before the setting changed): reported, and
      // kept working, since refusing to start would leave no way to fix it through the API.
      if (options.secrets) {
        const refused = secretSourceProblems(parsed.webhook, options.secrets);
        diagnostics.push(...refused.map((p) => warn({
          ...p, severity: 'warning', message: `${p.message}; the API would refuse it now`,
          hint: `change it through the API: ${p.hint ?? ''}`,
        })));
      }
      webhooks.set(object.name, parsed.webhook);
      sources.webhooks.set(object.name, 'api');
    }
    for (const object of stored.listConfigObjects('template')) {
      if (sources.templates.has(object.name)) {
        diagnostics.push(apiDiagnostic('template', object.name, 'is also defined in a file; a name may be defined in one place only', 'delete it through the API or remove it from the file'));
        continue;
      }
      const body = object.body as { text?: unknown; events?: unknown };
      const text = typeof body.text === 'string' ? body.text : JSON.stringify(object.body);
      const options: Parameters<typeof compileTemplate>[1] = { name: object.name, file: `<api template ${object.name}>` };
      if (Array.isArray(body.events)) options.eventTypes = body.events as NonNullable<typeof options.eventTypes>;
      const compiled = compileTemplate(text, options);
      if (!compiled.ok) {
        diagnostics.push(...compiled.diagnostics);
        continue;
      }
      templates.set(object.name, compiled);
      sources.templates.set(object.name, 'api');
    }
  }

  // The Portal seed's duplicate is a warning wherever the two webhooks come from (issue 14 item 2):
  // a URL written two ways (127.1, 127.0.0.1) makes one by accident, and it must not stop a restart.
  for (const problem of findDuplicateWebhooks([...webhooks.values()])) {
    const at = fileWebhooks.find((f) => f.webhook.name === problem.pointer);
    diagnostics.push(at
      ? webhookDiagnostic({ ...problem, pointer: '' }, at.declaration)
      : apiDiagnostic('webhook', problem.pointer, problem.message, problem.hint, problem));
  }
  // Every template a webhook or a rule names must exist (or be a preset).
  const knownTemplate = (name: string) => isPresetName(name) || templates.has(name);
  for (const { webhook, declaration } of fileWebhooks) {
    if (!knownTemplate(webhook.template)) {
      diagnostics.push(webhookDiagnostic({ severity: 'error', code: 'unknown-template', pointer: '/template', message: `template '${webhook.template}' is not defined`, hint: 'define it in templates/NAME.json or a templates: section, or use a preset (flat, alertmanager, slack, teams, pagerduty, events, test)' }, declaration));
    }
  }
  return { diagnostics, webhooks, templates, sources };
}

function finish(
  ruleSet: RuleSet | null, loadDiagnostics: Diagnostic[], baseDir: string, stored: ConfigStore | null,
  options: ConfigurationOptions,
): ConfigurationResult {
  if (!ruleSet) return { ok: false, diagnostics: loadDiagnostics };
  const checked = checkDeclarations(ruleSet, baseDir, stored, options);
  const diagnostics = sortDiagnostics([...loadDiagnostics, ...checked.diagnostics]);
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return {
    ok: true,
    diagnostics,
    config: { rules: ruleSet.rules, webhooks: checked.webhooks, templates: checked.templates, sources: checked.sources, ruleSet },
  };
}

/** The whole configuration from a directory plus the store's API-managed objects. */
export function loadConfiguration(
  dir: string, stored: ConfigStore | null, options: ConfigurationOptions = {},
): ConfigurationResult {
  const loaded = loadRuleDirectory(dir);
  return finish(loaded.ruleSet, loaded.diagnostics, dir, stored, options);
}

/** For `POST /rules/check`: files given as text, checked exactly like a reload would. */
export function checkConfigurationFiles(
  files: readonly ConfigFile[], baseDir: string, stored: ConfigStore | null, options: ConfigurationOptions = {},
): ConfigurationResult {
  const loaded = loadRuleFiles(files);
  return finish(loaded.ruleSet, loaded.diagnostics, baseDir, stored, options);
}

/** The checks of file-declared webhooks and templates, as a loader hook for `tocsin check`. */
export function declarationDiagnostics(ruleSet: RuleSet, baseDir: string): Diagnostic[] {
  return checkDeclarations(ruleSet, baseDir, null).diagnostics;
}
