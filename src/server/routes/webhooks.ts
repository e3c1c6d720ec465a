/**
 * Webhooks managed through the API (SPEC §6, §7): list with delivery counters, read (secrets
 * masked), create, change, delete by a list of names, and the test button.
 *
 * - A webhook defined in a file is read-only here: the file is the source of truth, and an API
 *   copy would silently disappear at the next reload. Names are unique across files and the API.
 * - The store keeps the JSON the client sent (secrets included, defaults not applied), so a later
 *   version's defaults apply to it; the API only ever shows the parsed webhook, masked.
 * - A client edits what GET returned: '********' in an update keeps the stored secret.
 * - Every change is one store transaction with its audit row and its config.changed event.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { findDuplicateWebhooks, maskWebhook, parseWebhook, restoreMaskedSecrets, type Webhook, type WebhookProblem } from '../../delivery/webhook.js';
import { maskUrl } from '../../delivery/masking.js';
import { secretSourceProblems } from '../../delivery/secret-policy.js';
import { isMasked, MASK } from '../../delivery/secrets.js';
import { EVENT_TYPES, type EventType } from '../../model/event.js';
import { closest } from '../../parser/diagnostics.js';
import type { Runtime } from '../../service/runtime.js';
import { isPresetName, PRESET_NAMES } from '../../templates/index.js';
import { StoreConflictError, type CommitBatch, type ConfigKind } from '../../store/store.js';
import { authorize, type Principal } from '../access.js';
import { ApiError, notFound } from '../errors.js';
import { namesBody, nameParams, route, type RouteSpec } from '../route.js';
import { iso } from '../query.js';
import type { WebhookOutbox } from '../../service/backlog-monitor.js';
import { testResultView } from './deliveries.js';
import { knownSecrets } from '../secrets-view.js';

type Kind = 'webhook' | 'template';

/** The file that defines a webhook or template, relative to the config directory when inside it. */
function definingFile(runtime: Runtime, kind: Kind, name: string): string | null {
  const declarations = kind === 'webhook' ? runtime.configuration.ruleSet.webhooks : runtime.configuration.ruleSet.templates;
  const file = declarations.find((d) => d.name === name)?.origin.file;
  if (file === undefined) return null;
  const inside = relative(runtime.options.configDir, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? file : inside.split(sep).join('/');
}

/** 409 for a change to something a file defines. */
export function readOnly(runtime: Runtime, kind: Kind, name: string): ApiError {
  const file = definingFile(runtime, kind, name);
  return new ApiError(409, 'defined_in_file', `${kind} '${name}' is defined in ${file ?? 'a file of the config directory'} and cannot be changed through the API`, {
    hint: `edit ${file ?? 'the file'} and POST /api/v1/reload (or run tocsin check first)`,
  });
}

/** A 404 that suggests the closest name. */
export function unknownName(kind: Kind, name: string, known: Iterable<string>): ApiError {
  const match = closest(name, known);
  return notFound(kind, name, match ? `did you mean '${match}'?` : `GET /api/v1/${kind}s lists them`);
}

/**
 * Outbox rows of `names` taken out of a change batch: a deleted webhook must not be sent the
 * config.changed event of its own deletion (it would fail as "no longer exists").
 */
function withoutWebhooks(batch: CommitBatch, names: readonly string[]): CommitBatch {
  const gone = new Set(names);
  const events = batch.events?.map((entry) => {
    const details = entry.details as { notifications?: Array<{ webhook: string }> } | undefined;
    return details?.notifications ? { ...entry, details: { ...details, notifications: details.notifications.filter((n) => !gone.has(n.webhook)) } } : entry;
  });
  return { ...batch, ...(events ? { events } : {}), outbox: (batch.outbox ?? []).filter((row) => !gone.has(row.webhook)) };
}

export function storeConflict(kind: ConfigKind, name: string): ApiError {
  return new ApiError(409, 'conflict', `${kind} '${name}' was changed by someone else at the same time`, { hint: 'read it again and repeat the change' });
}

// ---------------------------------------------------------------------------------------------

const SECRET_PATHS: ReadonlyArray<readonly [string, string]> = [['auth', 'password'], ['auth', 'token'], ['auth', 'value'], ['signature', 'secret']];

function at(input: unknown, path: readonly string[]): unknown {
  let value = input;
  for (const key of path) value = value !== null && typeof value === 'object' && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}

/** The literal secrets of a request body, to scrub from problems that might quote them. */
function secretsIn(input: unknown): string[] {
  return SECRET_PATHS.flatMap((path) => {
    const value = at(input, path);
    const text = typeof value === 'string' ? value : at(value, ['value']);
    return typeof text === 'string' && text !== '' ? [text] : [];
  });
}

/** A mask left after restoring stored secrets stands for nothing: the client must give the secret. */
function unrestoredMasks(input: unknown): WebhookProblem[] {
  const secrets: WebhookProblem[] = SECRET_PATHS.filter((path) => isMasked(at(input, path))).map((path) => ({
    severity: 'error', code: 'secret-required', pointer: `/${path.join('/')}`,
    message: `'${path.join('.')}' is '********', which keeps a stored secret, but there is none to keep here`,
    hint: 'give the secret itself (or { env: NAME } / { file: path }); the mask only works for a secret that is already stored',
  }));
  const url = at(input, ['url']);
  const urls: WebhookProblem[] = typeof url === 'string' && url.includes(MASK) ? [{
    severity: 'error', code: 'secret-required', pointer: '/url',
    message: "the url holds '********' where no stored value can be kept "
      + '(the mask keeps a masked query, fragment or user info of the stored url only)',
    hint: 'give the url in full; GET /api/v1/webhooks/NAME?reveal=true shows it to admins',
  }] : [];
  const headers = at(input, ['headers']);
  const entries = headers !== null && typeof headers === 'object' ? Object.entries(headers) : [];
  const masked = entries.filter(([, value]) => value === MASK);
  return [...secrets, ...urls, ...masked.map(([name]): WebhookProblem => ({
    severity: 'error', code: 'secret-required', pointer: `/headers/${name}`,
    message: `header '${name}' is '********', which keeps a stored value, but this webhook has no such header stored`,
    hint: 'give the header value itself',
  }))];
}

function invalid(problems: readonly WebhookProblem[], input: unknown): ApiError {
  const details = problems.map(({ pointer, message, hint, code }) => {
    let scrubbed = message;
    for (const secret of secretsIn(input)) scrubbed = scrubbed.split(secret).join('********');
    return { pointer, message: scrubbed, code, ...(hint !== undefined ? { hint } : {}) };
  });
  const first = details[0];
  return new ApiError(400, 'invalid_webhook', `the webhook has ${details.length} problem${details.length === 1 ? '' : 's'}${first ? `; first: ${first.pointer || '/'} ${first.message}` : ''}`, {
    hint: 'details lists every problem with the JSON pointer of its field',
    details,
  });
}

/** What a webhook needs beyond its own schema: a template that exists. */
function templateProblems(runtime: Runtime, webhook: Webhook): WebhookProblem[] {
  if (isPresetName(webhook.template) || runtime.configuration.templates.has(webhook.template)) return [];
  const known = [...PRESET_NAMES, ...runtime.configuration.templates.keys()];
  const match = closest(webhook.template, known);
  return [{
    severity: 'error', code: 'unknown-template', pointer: '/template', message: `template '${webhook.template}' is not defined${match ? ` (did you mean '${match}'?)` : ''}`,
    hint: `create it first (POST /api/v1/templates) or use a preset: ${PRESET_NAMES.join(', ')}`,
  }];
}

/** The event types a webhook's selection takes (events and events_policy). */
export function selectedEventTypes(webhook: Pick<Webhook, 'events' | 'events_policy'>): EventType[] {
  const listed = webhook.events.includes('*') ? [...EVENT_TYPES] : EVENT_TYPES.filter((t) => webhook.events.includes(t));
  return webhook.events_policy === 'include' ? listed : EVENT_TYPES.filter((t) => !listed.includes(t));
}

/** Warnings: the Portal seed's duplicate webhook, and events the template cannot render. */
function warningsFor(runtime: Runtime, webhook: Webhook, parsed: readonly WebhookProblem[]): WebhookProblem[] {
  const others = [...runtime.configuration.webhooks.values()].filter((w) => w.name !== webhook.name);
  const duplicates = findDuplicateWebhooks([...others, webhook]).filter((w) => w.pointer === webhook.name).map((w) => ({ ...w, pointer: '' }));
  const template = runtime.template(webhook.template);
  const unserved = template ? selectedEventTypes(webhook).filter((type) => !template.serves(type)) : [];
  const notServed: WebhookProblem[] = unserved.length === 0 ? [] : [{
    severity: 'warning', code: 'template-does-not-serve', pointer: '/events',
    message: `template '${webhook.template}' does not serve ${unserved.join(', ')}: such events would fail to render for this webhook`,
    hint: 'narrow events, or use a template that serves them (its events list)',
  }];
  return [...parsed, ...duplicates, ...notServed];
}

interface Checked {
  webhook: Webhook;
  warnings: WebhookProblem[];
}

function check(runtime: Runtime, input: unknown): Checked {
  const masks = unrestoredMasks(input);
  if (masks.length > 0) throw invalid(masks, input);
  // API webhooks have no file: a relative `file:` secret is read from the secrets directory, as at reload.
  const policy = runtime.secretPolicy;
  const parsed = parseWebhook(input, policy.dir === null ? {} : { baseDir: policy.dir });
  if (!parsed.ok) throw invalid(parsed.problems, input);
  const sources = secretSourceProblems(parsed.webhook, policy);
  if (sources.length > 0) throw invalid(sources, input);
  const missing = templateProblems(runtime, parsed.webhook);
  if (missing.length > 0) throw invalid(missing, input);
  return { webhook: parsed.webhook, warnings: warningsFor(runtime, parsed.webhook, parsed.warnings) };
}

function totalsOf(runtime: Runtime, name: string) {
  const totals = runtime.store.webhookTotals().find((t) => t.webhook === name);
  return {
    successes: totals?.successes ?? 0, failures: totals?.failures ?? 0,
    lastSuccessAt: totals?.lastSuccessAt == null ? null : iso(totals.lastSuccessAt),
    lastFailureAt: totals?.lastFailureAt == null ? null : iso(totals.lastFailureAt),
  };
}

function sourceOf(runtime: Runtime, name: string): 'file' | 'api' {
  return runtime.configuration.sources.webhooks.get(name) ?? 'api';
}

/** Depth and backlog of a webhook's outbox (SPEC §6: a backlogged webhook is visible). */
export function outboxView(outbox: WebhookOutbox | undefined, limit: number) {
  return {
    outboxDepth: outbox?.depth ?? 0,
    outboxLimit: limit,
    backlogged: outbox?.backlogged ?? false,
    backloggedSince: outbox?.backloggedSince == null ? null : iso(outbox.backloggedSince),
  };
}

function detailView(runtime: Runtime, webhook: Webhook, reveal = false) {
  const source = sourceOf(runtime, webhook.name);
  const file = source === 'file' ? definingFile(runtime, 'webhook', webhook.name) : null;
  const outbox = runtime.outboxState().webhooks.find((w) => w.webhook === webhook.name);
  return {
    ...maskWebhook(webhook, { reveal }), source, ...(file ? { file } : {}), ...totalsOf(runtime, webhook.name),
    ...outboxView(outbox, webhook.outbox_limit),
  };
}

/**
 * `?reveal=true`: the URL and header values as configured, for those who may change them anyway
 * (webhooks:write, i.e. admins). Everyone else is told who may, rather than silently given masks.
 */
const revealQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    reveal: {
      type: 'string', enum: ['true', 'false'],
      description: "'true': URL credentials and header values unmasked (needs webhooks:write); "
        + 'secret values stay masked',
    },
  },
} as const;

function wantsReveal(query: unknown, principal: Principal | null): boolean {
  if ((query as { reveal?: string }).reveal !== 'true') return false;
  const allowed = principal === null ? null : authorize(principal, 'webhooks:write');
  if (allowed === null || !allowed.ok) {
    const why = allowed?.error ?? 'reveal needs webhooks:write';
    throw new ApiError(403, 'forbidden', `${why} (reveal=true shows URL credentials and header values)`, {
      hint: 'leave out reveal=true: everything else is shown, with credentials masked',
    });
  }
  return true;
}

const warningView = ({ pointer, message, hint, code }: WebhookProblem) => ({ pointer, message, code, ...(hint !== undefined ? { hint } : {}) });

/** The audit row says what changed without ever holding a secret (a URL may carry a token in its query). */
const auditDetails = (webhook: Webhook, summary: string) =>
  ({ summary, url: maskUrl(webhook.url), template: webhook.template, enabled: webhook.enabled });

const webhookBody = {
  type: 'object',
  description: 'A webhook as in schemas/webhooks.schema.json#/definitions/webhook; problems come back with the JSON pointer of their field',
} as const;

export function webhookRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/webhooks', permission: 'read', tag: 'webhooks',
      summary: 'Webhooks from files and the API, with invocation counters, outbox depth and whether each is backlogged; '
        + 'URL credentials masked unless an admin asks for reveal=true',
      schema: { querystring: revealQuery },
      handler: (request, _reply, { runtime, principal }) => {
        const reveal = wantsReveal(request.query, principal);
        const totals = new Map(runtime.store.webhookTotals().map((t) => [t.webhook, t]));
        const outboxes = new Map(runtime.outboxState().webhooks.map((w) => [w.webhook, w]));
        const webhooks = [...runtime.configuration.webhooks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((w) => {
          const t = totals.get(w.name);
          return {
            name: w.name, url: reveal ? w.url : maskUrl(w.url),
            description: w.description, enabled: w.enabled, events: w.events, events_policy: w.events_policy,
            min_severity: w.min_severity, rules: w.rules, template: w.template, content_type: w.content_type, source: sourceOf(runtime, w.name),
            successes: t?.successes ?? 0, failures: t?.failures ?? 0,
            lastSuccessAt: t?.lastSuccessAt == null ? null : iso(t.lastSuccessAt), lastFailureAt: t?.lastFailureAt == null ? null : iso(t.lastFailureAt),
            ...outboxView(outboxes.get(w.name), w.outbox_limit),
          };
        });
        return { webhooks };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/webhooks/:name', permission: 'read', tag: 'webhooks',
      summary: 'One webhook with every option (secrets, URL credentials and header values masked as ********; '
        + 'admins may ask for reveal=true), where it is defined, and its delivery totals',
      schema: { params: nameParams, querystring: revealQuery },
      handler: (request, _reply, { runtime, principal }) => {
        const { name } = request.params as { name: string };
        const reveal = wantsReveal(request.query, principal);
        const webhook = runtime.webhook(name);
        if (!webhook) throw unknownName('webhook', name, runtime.configuration.webhooks.keys());
        return detailView(runtime, webhook, reveal);
      },
    }),
    route({
      method: 'POST', url: '/api/v1/webhooks', permission: 'webhooks:write', tag: 'webhooks',
      summary: 'Create a webhook; the answer holds warnings (e.g. the same url, events and template as another webhook)',
      schema: { body: webhookBody },
      handler: (request, reply, { runtime, actor, now }) => {
        const input = request.body;
        const { webhook, warnings } = check(runtime, input);
        const { name } = webhook;
        // The name is the field at fault: details carry its pointer like every other refusal of the body.
        const atName = (error: ApiError) => new ApiError(error.status, error.code, error.message, {
          ...(error.hint !== undefined ? { hint: error.hint } : {}),
          details: [{ pointer: '/name', code: error.code.replace(/_/g, '-'), message: error.message }],
        });
        if (runtime.configuration.sources.webhooks.get(name) === 'file') {
          throw atName(readOnly(runtime, 'webhook', name));
        }
        if (runtime.webhook(name) || runtime.store.getConfigObject('webhook', name)) {
          const hint = `change it with PUT /api/v1/webhooks/${name}, or choose another name`;
          throw atName(new ApiError(409, 'already_exists', `webhook '${name}' already exists`, { hint }));
        }
        try {
          runtime.store.putConfigObject({ kind: 'webhook', name, body: input, actor, at: now, expectedVersion: 0 }, runtime.changeBatch(actor, 'create', 'webhook', name, auditDetails(webhook, `webhook ${name} created`)));
        } catch (error) {
          if (error instanceof StoreConflictError) throw storeConflict('webhook', name);
          throw error;
        }
        runtime.applyWebhook(name, webhook);
        runtime.wakeDelivery();
        void reply.code(201).header('location', `/api/v1/webhooks/${encodeURIComponent(name)}`);
        return { ...detailView(runtime, webhook), warnings: warnings.map(warningView) };
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/webhooks/:name', permission: 'webhooks:write', tag: 'webhooks',
      summary: "Change a webhook (the whole object; '********' keeps a stored secret); webhooks defined in files are read-only",
      schema: { params: nameParams, body: webhookBody },
      handler: (request, _reply, { runtime, actor, now }) => {
        const { name } = request.params as { name: string };
        const previous = runtime.webhook(name);
        if (!previous) throw unknownName('webhook', name, runtime.configuration.webhooks.keys());
        if (sourceOf(runtime, name) === 'file') throw readOnly(runtime, 'webhook', name);
        const body = request.body as Record<string, unknown>;
        if (body.name !== undefined && body.name !== name) {
          throw invalid([{ severity: 'error', code: 'rename-not-supported', pointer: '/name', message: `the name in the body ('${String(body.name)}') is not the name in the URL ('${name}')`, hint: 'to rename a webhook, create it under the new name and delete the old one' }], body);
        }
        const input = restoreMaskedSecrets({ ...body, name }, previous);
        const { webhook, warnings } = check(runtime, input);
        const stored = runtime.store.getConfigObject('webhook', name);
        try {
          runtime.store.putConfigObject(
            { kind: 'webhook', name, body: input, actor, at: now, ...(stored ? { expectedVersion: stored.version } : {}) },
            runtime.changeBatch(actor, 'update', 'webhook', name, auditDetails(webhook, `webhook ${name} changed`)),
          );
        } catch (error) {
          if (error instanceof StoreConflictError) throw storeConflict('webhook', name);
          throw error;
        }
        runtime.applyWebhook(name, webhook);
        runtime.wakeDelivery();
        return { ...detailView(runtime, webhook), warnings: warnings.map(warningView) };
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/webhooks', permission: 'webhooks:write', tag: 'webhooks',
      summary: 'Delete webhooks by name; answers which were deleted and which were not found. Webhooks defined in files are read-only',
      schema: { body: namesBody },
      handler: (request, _reply, { runtime, actor }) => {
        const names = [...new Set((request.body as { names: string[] }).names)];
        // All or nothing: one file-defined name refuses the whole request, so nothing half-happens.
        const fromFile = names.find((name) => sourceOf(runtime, name) === 'file' && runtime.webhook(name));
        if (fromFile !== undefined) throw readOnly(runtime, 'webhook', fromFile);
        const existing = names.filter((name) => runtime.store.getConfigObject('webhook', name) !== null);
        const batch = withoutWebhooks(runtime.changeBatch(actor, 'delete', 'webhook', existing.join(', '), { summary: `webhook(s) ${existing.join(', ')} deleted` }), existing);
        const deleted = existing.length === 0 ? [] : runtime.store.deleteConfigObjects('webhook', existing, batch);
        for (const name of deleted) runtime.applyWebhook(name, null);
        if (deleted.length > 0) runtime.wakeDelivery();
        // Rules may still name them in notify: (a warning at reload too); their notifications are recorded as not sent.
        const notifiedBy = runtime.configuration.rules.filter((rule) => rule.notify.some((target) => deleted.includes(target.webhook))).map((rule) => rule.name);
        const warnings = notifiedBy.length === 0 ? [] : [{ pointer: '', code: 'webhook-still-notified', message: `rules ${notifiedBy.join(', ')} still notify a deleted webhook`, hint: 'remove it from their notify: lists' }];
        return { deleted, notFound: names.filter((name) => !deleted.includes(name)), warnings };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/webhooks/:name/test', permission: 'webhooks:test', tag: 'webhooks',
      summary: 'Send the webhook.test event through the real path (template, auth, signature) and answer with status, latency and response',
      schema: { params: nameParams },
      handler: async (request, _reply, { runtime }) => {
        const { name } = request.params as { name: string };
        const webhook = runtime.webhook(name);
        if (!webhook) throw unknownName('webhook', name, runtime.configuration.webhooks.keys());
        const result = await runtime.testWebhook(webhook);
        return testResultView(result, knownSecrets(runtime));
      },
    }),
  ];
}
