/**
 * Rules (SPEC §3, §7): the rules in force as their authors wrote them, checking rule text without
 * changing anything, and reloading the config directory.
 *
 * Loading is all-or-nothing: a reload with any error answers 422 with every diagnostic (and the
 * compiler-style text) and the running configuration stays exactly as it was.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { windowText } from '../../engine/events.js';
import { ConfigDirectoryError } from '../../engine/rules/load.js';
import type { RepeatSpec, RuleDefinition, ScheduleSpec } from '../../engine/rule.js';
import { formatDuration } from '../../model/duration.js';
import { formatDiagnostics, type Diagnostic } from '../../parser/diagnostics.js';
import type { Runtime } from '../../service/runtime.js';
import { ApiError } from '../errors.js';
import { offloadThread, OffloadError } from '../offload/pool.js';
import type { CheckOutcome } from '../offload/worker.js';
import { renderLimits } from '../../templates/budget.js';
import { answerOf, offloadFailure } from '../offload/answer.js';
import { route, type RouteSpec } from '../route.js';
import { activeAlerts } from './alerts.js';
import { iso } from '../query.js';

/** `5400000` → `1h30m`: the compact form rule files use, which parses back to the same value. */
const compact = (ms: number) => formatDuration(ms).replace(/ /g, '');

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

function repeatView(repeat: RepeatSpec) {
  if (repeat.kind === 'interval') return { interval: compact(repeat.ms) };
  if (repeat.kind === 'every') return { every: repeat.count };
  return 'none';
}

function scheduleView(schedule: ScheduleSpec | null) {
  if (!schedule) return null;
  return {
    days: schedule.days.map((day) => DAY_NAMES[day - 1] ?? String(day)),
    hours: schedule.hours.map(([from, to]) => `${clock(from)}-${clock(to)}`),
    timezone: schedule.timezone,
  };
}

/** Paths inside the config directory are shown relative to it: the server's layout is its own business. */
function shownPath(file: string, configDir: string): string {
  if (!isAbsolute(file) && !file.startsWith(configDir)) return file;
  const inside = relative(configDir, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? file : inside.split(sep).join('/');
}

function ruleView(rule: RuleDefinition, configDir: string, alerts: number) {
  return {
    name: rule.name,
    file: shownPath(rule.file, configDir),
    line: rule.line,
    description: rule.description ?? '',
    enabled: rule.enabled,
    metrics: rule.metrics,
    filter: rule.filter?.text ?? null,
    group_by: rule.groupBy,
    window: windowText(rule.window),
    condition: rule.condition.text,
    cancel_when: rule.cancelWhen?.text ?? null,
    for: compact(rule.forMs),
    keep_firing_for: compact(rule.keepFiringForMs),
    repeat: repeatView(rule.repeat),
    no_data: rule.noDataMs === null ? null : compact(rule.noDataMs),
    expect: rule.expect?.text ?? null,
    flapping: rule.flapping,
    schedule: scheduleView(rule.schedule),
    severity: rule.severity,
    overrides: rule.overrides.map((o) => ({ when: o.when.text, ...(o.severity ? { severity: o.severity } : {}), ...(o.disabled ? { disabled: true } : {}), ...(o.labels ? { labels: o.labels } : {}) })),
    labels: rule.labels,
    notify: rule.notify,
    message: rule.message,
    timezone: rule.timezone,
    activeAlerts: alerts,
  };
}

/**
 * When the configuration in force was loaded: the last reload (every reload is audited, also
 * those by SIGHUP), or the start of this process when it has not reloaded since.
 */
function loadedAt(runtime: Runtime): number {
  const reload = runtime.store.listAudit({ kind: 'rules', limit: 20 }).find((entry) => entry.action === 'reload');
  return Math.max(runtime.startedAt, reload?.at ?? 0);
}

function diagnosticsView(diagnostics: readonly Diagnostic[], configDir: string) {
  const shown = diagnostics.map((d) => ({ ...d, file: shownPath(d.file, configDir) }));
  return { diagnostics: shown, formatted: formatDiagnostics(shown) };
}

const countErrors = (diagnostics: readonly Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error').length;

/** Rule files given as text to check: the server's default body limit, stated (docs/operations.md "Limits"). */
export const CHECK_BODY_LIMIT = 1024 * 1024;

const checkBody = {
  type: 'object',
  required: ['files'],
  additionalProperties: false,
  properties: {
    files: {
      type: 'array', minItems: 1, maxItems: 200,
      items: {
        type: 'object', required: ['file', 'text'], additionalProperties: false,
        properties: {
          file: { type: 'string', minLength: 1, maxLength: 500, description: 'shown in diagnostics; templates/NAME.json is a template file' },
          text: { type: 'string', maxLength: 1_000_000 },
        },
      },
    },
  },
} as const;

export function ruleRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/rules', permission: 'read', tag: 'rules',
      summary: 'The rules in force, as written (expressions, durations, notify targets), with their file and line',
      handler: (_request, _reply, { runtime }) => {
        const counts = new Map<string, number>();
        for (const alert of activeAlerts(runtime)) counts.set(alert.rule, (counts.get(alert.rule) ?? 0) + 1);
        const configDir = runtime.options.configDir;
        return {
          rules: runtime.configuration.rules.map((rule) => ruleView(rule, configDir, counts.get(rule.name) ?? 0)),
          loadedAt: iso(loadedAt(runtime)),
        };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/rules/check', permission: 'rules:check', tag: 'rules',
      summary: 'Check rule files given as text, exactly as a reload would, without changing anything',
      schema: { body: checkBody },
      bodyLimit: CHECK_BODY_LIMIT,
      handler: async (request, _reply, { runtime }) => {
        const { files } = request.body as { files: Array<{ file: string; text: string }> };
        const configDir = runtime.options.configDir;
        // Parsing, compiling and rendering the examples of a megabyte of rules and templates takes
        // seconds: on the offload thread, with the API's objects as they are now.
        const stored = {
          webhook: runtime.store.listConfigObjects('webhook'),
          template: runtime.store.listConfigObjects('template'),
        };
        let result: CheckOutcome;
        try {
          const answer = await offloadThread().run({
            kind: 'check', limits: renderLimits(), files, configDir, stored, secrets: runtime.secretPolicy,
          });
          result = answerOf(answer) as CheckOutcome;
        } catch (error) {
          if (error instanceof OffloadError) throw offloadFailure(error, 'the check');
          throw error;
        }
        const errors = countErrors(result.diagnostics);
        return { ok: result.ok, errors, ...diagnosticsView(result.diagnostics, configDir), rules: result.rules };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/reload', permission: 'rules:reload', tag: 'rules',
      summary: 'Reload the config directory; with any error nothing changes (422 with every diagnostic)',
      handler: (_request, _reply, { runtime, actor }) => {
        const configDir = runtime.options.configDir;
        let result;
        try {
          result = runtime.reload(actor);
        } catch (error) {
          if (!(error instanceof ConfigDirectoryError)) throw error;
          throw new ApiError(422, 'invalid_configuration', `${error.message}; the running configuration stays`, { hint: error.hint });
        }
        const view = diagnosticsView(result.diagnostics, configDir);
        if (!result.ok) {
          const errors = countErrors(result.diagnostics);
          throw new ApiError(422, 'invalid_configuration', `the configuration has ${errors} error${errors === 1 ? '' : 's'}; nothing was changed, the running configuration stays:\n\n${view.formatted}`, {
            hint: 'fix the files named here and reload again; POST /api/v1/rules/check checks text before it is saved',
            details: view.diagnostics,
          });
        }
        return { ok: true, rules: result.config.rules.map((rule) => rule.name), ...view };
      },
    }),
  ];
}
