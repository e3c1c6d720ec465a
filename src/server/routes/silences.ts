/**
 * Silences (SPEC §4): matchers plus a time range that mute notifications of matching alerts
 * without changing their state, as in Alertmanager. Every change is audited and put in force in
 * the engine at once.
 *
 * Matchers compare the labels the engine gives an alert: rule (alias alertname), entity, metric,
 * severity, series_key, tags.X (sample tags), entity.tags.X and the rule's own labels. `=~`/`!~`
 * take LIKE-style patterns (`*`, `?`), never regular expressions.
 */
import { randomUUID } from 'node:crypto';
import { matchesEveryAlert, type MatchOperator, type SilenceMatcher } from '../../engine/silences.js';
import { parseDuration } from '../../model/duration.js';
import { SEVERITIES, isSeverity } from '../../model/severity.js';
import { closest } from '../../parser/diagnostics.js';
import type { Runtime } from '../../service/runtime.js';
import type { Silence } from '../../store/store.js';
import { ApiError } from '../errors.js';
import { idParams, route, type RouteSpec } from '../route.js';
import { iso } from '../query.js';

const OPERATORS: readonly MatchOperator[] = ['=', '!=', '=~', '!~'];
const FIXED_NAMES = ['rule', 'alertname', 'entity', 'metric', 'severity', 'series_key'] as const;
const TAG_PREFIXES = ['tags.', 'entity.tags.'] as const;
export const SILENCE_STATUSES = ['active', 'pending', 'expired'] as const;

interface Problem {
  pointer: string;
  message: string;
  hint?: string;
}

// The largest time a JavaScript Date can show: beyond it no ISO text exists.
const LAST_TIME = 8_640_000_000_000_000;
const time = { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'integer', minimum: 0, maximum: LAST_TIME }], description: 'ISO 8601 or epoch milliseconds' } as const;

const silenceBody = {
  type: 'object',
  required: ['matchers', 'comment'],
  additionalProperties: false,
  properties: {
    matchers: {
      type: 'array', minItems: 1, maxItems: 50,
      items: {
        type: 'object', required: ['name', 'value'], additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 300 },
          value: { type: 'string', maxLength: 1000 },
          op: { type: 'string', enum: [...OPERATORS], default: '=' },
        },
      },
    },
    startsAt: { ...time, description: 'default: now' },
    endsAt: { ...time, description: 'give endsAt or duration' },
    duration: { type: 'string', minLength: 1, maxLength: 50, description: 'from startsAt, e.g. 2h, 30m, 1d' },
    comment: { type: 'string', minLength: 1, maxLength: 2000, description: 'why: shown to everyone who wonders where the alerts went' },
  },
} as const;

interface SilenceBody {
  matchers: Array<{ name: string; value: string; op?: MatchOperator }>;
  startsAt?: string | number;
  endsAt?: string | number;
  duration?: string;
  comment: string;
}

/** The label names an alert can have besides tags.X and entity.tags.X: the fixed ones and every rule label. */
function labelNames(runtime: Runtime): Set<string> {
  return new Set([...FIXED_NAMES, ...runtime.configuration.rules.flatMap((rule) => Object.keys(rule.labels))]);
}

function matcherProblems(matchers: SilenceMatcher[], runtime: Runtime): { problems: Problem[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const names = labelNames(runtime);
  const rules = runtime.configuration.rules.map((rule) => rule.name);
  matchers.forEach((matcher, index) => {
    const at = `/matchers/${index}`;
    const prefix = TAG_PREFIXES.find((p) => matcher.name.startsWith(p));
    if (prefix !== undefined ? matcher.name.length === prefix.length : !names.has(matcher.name)) {
      const guess = closest(matcher.name, names);
      problems.push({
        pointer: `${at}/name`,
        message: `unknown label '${matcher.name}'`,
        hint: `${guess !== null ? `did you mean '${guess}'? ` : ''}labels: ${FIXED_NAMES.join(', ')}, tags.NAME, entity.tags.NAME, or a label of a rule`,
      });
      return;
    }
    const exact = matcher.op === '=' || matcher.op === '!=';
    if (matcher.name === 'severity' && exact && !isSeverity(matcher.value)) {
      const guess = closest(matcher.value, SEVERITIES);
      problems.push({ pointer: `${at}/value`, message: `'${matcher.value}' is not a severity`, hint: `${guess !== null ? `did you mean '${guess}'? ` : ''}severities: ${SEVERITIES.join(', ')}` });
    }
    // A rule may be added later, so an unknown rule name is worth a warning, not a refusal.
    if ((matcher.name === 'rule' || matcher.name === 'alertname') && matcher.op === '=' && !rules.includes(matcher.value)) {
      const guess = closest(matcher.value, rules);
      warnings.push({ pointer: `${at}/value`, message: `no rule is named '${matcher.value}' at the moment`, ...(guess !== null ? { hint: `did you mean '${guess}'?` } : {}) });
    }
  });
  // A silence that would mute every alert (an empty-label probe and label sets that differ in every
  // value: see matchesEveryAlert) is never what a typo deserves.
  if (problems.length === 0 && matchesEveryAlert(matchers)) {
    problems.push({ pointer: '/matchers', message: 'these matchers match every alert', hint: "add a matcher that needs a value, e.g. { name: 'entity', value: 'web-1' }" });
  }
  return { problems, warnings };
}

function toTime(value: string | number, pointer: string, problems: Problem[]): number | null {
  const ms = typeof value === 'number' ? value : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    problems.push({ pointer, message: `'${value}' is not a time`, hint: 'give an ISO 8601 time with a zone (2026-11-29T18:00:00Z) or epoch milliseconds' });
    return null;
  }
  return ms;
}

/**
 * When the silence is in force, from the body. A new silence starts now by default and must end in
 * the future; a changed one keeps its start and may end now, which expires it early.
 */
function timeRange(body: SilenceBody, now: number, existing: Silence | null, problems: Problem[]): { startsAt: number; endsAt: number } | null {
  const startsAt = body.startsAt === undefined ? (existing?.startsAt ?? now) : toTime(body.startsAt, '/startsAt', problems);
  let endsAt: number | null = null;
  if (body.endsAt !== undefined && body.duration !== undefined) {
    problems.push({ pointer: '/duration', message: 'give endsAt or duration, not both' });
  } else if (body.endsAt !== undefined) {
    endsAt = toTime(body.endsAt, '/endsAt', problems);
  } else if (body.duration !== undefined) {
    const ms = parseDuration(body.duration);
    if (ms === null || ms <= 0) problems.push({ pointer: '/duration', message: `'${body.duration}' is not a duration`, hint: 'e.g. 30m, 2h, 1d, 1h30m' });
    else if (startsAt !== null) endsAt = startsAt + ms;
  } else {
    problems.push({ pointer: '/endsAt', message: 'the silence has no end', hint: "give endsAt (a time) or duration (e.g. '2h')" });
  }
  if (startsAt === null || endsAt === null) return null;
  if (endsAt > LAST_TIME) problems.push({ pointer: '/duration', message: `'${body.duration}' ends after the last date tocsin can represent` });
  else if (endsAt <= startsAt) problems.push({ pointer: body.endsAt !== undefined ? '/endsAt' : '/duration', message: `the silence ends (${iso(endsAt)}) before it starts (${iso(startsAt)})` });
  else if (endsAt < now || (endsAt === now && existing === null)) problems.push({ pointer: '/endsAt', message: `the silence ended already (${iso(endsAt)})`, hint: 'a silence mutes notifications from now on; it cannot mute the past' });
  return { startsAt, endsAt };
}

function invalid(problems: Problem[]): ApiError {
  const lines = problems.map((p) => `${p.pointer}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  return new ApiError(400, 'invalid_silence', `the silence was not saved:\n${lines.join('\n')}`, { hint: problems[0]?.hint ?? 'fix the fields named here', details: problems });
}

/** Validates a body into the stored silence (without id and author), or throws a 400 naming every problem. */
function validate(body: SilenceBody, runtime: Runtime, now: number, existing: Silence | null) {
  const matchers: SilenceMatcher[] = body.matchers.map((m) => ({ name: m.name, value: m.value, op: m.op ?? '=' }));
  const { problems, warnings } = matcherProblems(matchers, runtime);
  const range = timeRange(body, now, existing, problems);
  if (problems.length > 0 || range === null) throw invalid(problems);
  return { silence: { matchers, comment: body.comment, ...range }, warnings };
}

function status(silence: Silence, now: number): (typeof SILENCE_STATUSES)[number] {
  if (now >= silence.endsAt) return 'expired';
  return now < silence.startsAt ? 'pending' : 'active';
}

function silenceView(silence: Silence, now: number) {
  return {
    id: silence.id, status: status(silence, now), matchers: silence.matchers, startsAt: iso(silence.startsAt), endsAt: iso(silence.endsAt),
    comment: silence.comment, createdBy: silence.createdBy, createdAt: iso(silence.createdAt), updatedAt: iso(silence.updatedAt),
  };
}

function matcherText(matchers: readonly SilenceMatcher[]): string {
  return matchers.map((m) => `${m.name}${m.op ?? '='}${JSON.stringify(m.value)}`).join(', ');
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'not_found', `no silence with the id '${id}'`, { hint: 'GET /api/v1/silences lists them' });
}

export function silenceRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/silences', permission: 'read', tag: 'silences',
      summary: 'Silences with their status (active, pending, expired), in order of start',
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: [...SILENCE_STATUSES] } } },
      },
      handler: (request, _reply, { runtime }) => {
        const wanted = (request.query as { status?: string }).status;
        const now = runtime.engine.now();
        const silences = runtime.store.listSilences().map((s) => silenceView(s, now)).filter((s) => wanted === undefined || s.status === wanted);
        return { silences };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/silences/:id', permission: 'read', tag: 'silences', summary: 'One silence',
      schema: { params: idParams },
      handler: (request, _reply, { runtime }) => {
        const { id } = request.params as { id: string };
        const silence = runtime.store.getSilence(id);
        if (!silence) throw notFound(id);
        return silenceView(silence, runtime.engine.now());
      },
    }),
    route({
      method: 'POST', url: '/api/v1/silences', permission: 'silences:write', tag: 'silences',
      summary: 'Create a silence: matchers, startsAt (default now), endsAt or duration, and a comment',
      schema: { body: silenceBody },
      handler: (request, reply, { runtime, actor }) => {
        const now = runtime.engine.now();
        const { silence, warnings } = validate(request.body as SilenceBody, runtime, now, null);
        const id = randomUUID();
        const batch = runtime.changeBatch(actor, 'create', 'silence', id, { summary: `silence ${matcherText(silence.matchers)} until ${iso(silence.endsAt)}`, ...silence });
        const stored = runtime.store.putSilence({ id, ...silence, createdBy: actor, at: now }, batch);
        runtime.refreshSilences();
        void reply.code(201).header('location', `/api/v1/silences/${id}`);
        return { ...silenceView(stored, now), warnings };
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/silences/:id', permission: 'silences:write', tag: 'silences',
      summary: 'Change a silence (same body as creating one; startsAt defaults to its start); endsAt now expires it early',
      schema: { params: idParams, body: silenceBody },
      handler: (request, _reply, { runtime, actor }) => {
        const { id } = request.params as { id: string };
        const existing = runtime.store.getSilence(id);
        if (!existing) throw notFound(id);
        const now = runtime.engine.now();
        const { silence, warnings } = validate(request.body as SilenceBody, runtime, now, existing);
        const batch = runtime.changeBatch(actor, 'update', 'silence', id, { summary: `silence ${matcherText(silence.matchers)} until ${iso(silence.endsAt)}`, ...silence });
        const stored = runtime.store.putSilence({ id, ...silence, createdBy: existing.createdBy, at: now }, batch);
        runtime.refreshSilences();
        return { ...silenceView(stored, now), warnings };
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/silences', permission: 'silences:write', tag: 'silences',
      summary: 'Delete silences by id: notifications of matching alerts flow again',
      schema: {
        body: {
          type: 'object', required: ['ids'], additionalProperties: false,
          properties: { ids: { type: 'array', minItems: 1, maxItems: 1000, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } } },
        },
      },
      handler: (request, _reply, { runtime, actor }) => {
        const { ids } = request.body as { ids: string[] };
        // The audit row names what was deleted, so only existing ids go into it.
        const existing = ids.filter((id) => runtime.store.getSilence(id) !== null);
        const deleted = existing.length === 0 ? [] : runtime.store.deleteSilences(existing, runtime.changeBatch(actor, 'delete', 'silence', existing.join(', ')));
        if (deleted.length > 0) runtime.refreshSilences();
        return { deleted, notFound: ids.filter((id) => !deleted.includes(id)) };
      },
    }),
  ];
}
