/**
 * Message templates through the API (SPEC §5, §7): list and read (user templates from files and
 * the API, and the built-in presets), create, change and delete API templates, preview the exact
 * body for a sample event, and the variables of an event type for the console's completion.
 *
 * A template is checked when it is saved, never at send time: one with errors is refused with
 * every diagnostic (line and column into the text sent, did-you-mean for names) and the version
 * in force stays. Files and presets are read-only here.
 */
import { EVENT_TYPES, type EventType } from '../../model/event.js';
import { closest, type Diagnostic } from '../../parser/diagnostics.js';
import type { Runtime } from '../../service/runtime.js';
import { StoreConflictError } from '../../store/store.js';
import {
  compileTemplate,
  isEventType,
  isPresetName,
  PRESET_NAMES,
  PRESETS,
  presetTemplate,
  presetText,
  PREVIEW_SETTINGS,
  sampleEvent,
  variablesFor,
  type CompiledTemplate,
} from '../../templates/index.js';
import { renderLimits } from '../../templates/budget.js';
import { describeShape } from '../../templates/shape.js';
import { ApiError } from '../errors.js';
import { answerOf, offloadFailure } from '../offload/answer.js';
import { OffloadError, offloadThread } from '../offload/pool.js';
import { diagnosticView, previewEvent, previewEventType, renderPreview, type PreviewBody } from '../preview.js';
import { namesBody, nameParams, route, type RouteSpec } from '../route.js';
import { readOnly, selectedEventTypes, storeConflict, unknownName } from './webhooks.js';

type Source = 'file' | 'api' | 'preset';

/** Names the router gives to other routes (GET /templates/variables). */
const RESERVED = new Set(['variables', 'preview']);
const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const MAX_TEXT = 256 * 1024;

interface StoredTemplate {
  name: string;
  text: string;
  events?: string[];
  description?: string;
}

interface Problem {
  pointer: string;
  code: string;
  message: string;
  hint?: string;
}


function sourceOf(runtime: Runtime, name: string): Source | null {
  const source = runtime.configuration.sources.templates.get(name);
  if (source !== undefined) return source;
  return isPresetName(name) ? 'preset' : null;
}

function storedBody(runtime: Runtime, name: string): StoredTemplate | null {
  const object = runtime.store.getConfigObject('template', name);
  return object === null ? null : (object.body as StoredTemplate);
}

/** What a file declares: the text as written, and its description when the YAML item has one. */
function fileDeclaration(runtime: Runtime, name: string): { text: string; description?: string } | null {
  const declaration = runtime.configuration.ruleSet.templates.find((d) => d.name === name);
  if (declaration === undefined) return null;
  const { value } = declaration;
  const description = typeof value.description === 'string' ? { description: value.description } : {};
  if (declaration.source === 'template-file') return { text: declaration.origin.text, ...description };
  if (typeof value.source === 'string') return { text: value.source, ...description };
  return { text: presetText(value.body), ...description };
}

function summaryView(runtime: Runtime, name: string, template: CompiledTemplate) {
  const source = sourceOf(runtime, name) ?? 'api';
  const description = source === 'api' ? storedBody(runtime, name)?.description : source === 'file' ? fileDeclaration(runtime, name)?.description : PRESETS.get(name)?.description;
  return { name, source, events: [...template.eventTypes], ...(description !== undefined ? { description } : {}) };
}

function detailView(runtime: Runtime, name: string, template: CompiledTemplate) {
  const summary = summaryView(runtime, name, template);
  if (summary.source === 'preset') {
    // A preset has one body per group of event types; `text` is the first, `variants` all of them.
    const variants = (PRESETS.get(name)?.sources ?? []).map((s) => ({ events: [...s.eventTypes], text: presetText(s.body) }));
    return { ...summary, text: variants[0]?.text ?? '', variants };
  }
  const text = summary.source === 'api' ? storedBody(runtime, name)?.text : fileDeclaration(runtime, name)?.text;
  return { ...summary, text: text ?? '' };
}

function badRequest(problems: Problem[]): ApiError {
  const first = problems[0];
  return new ApiError(400, 'invalid_template', first ? `${first.pointer} ${first.message}` : 'the template is invalid', { details: problems, ...(first?.hint ? { hint: first.hint } : {}) });
}

function eventTypes(events: readonly string[] | undefined): EventType[] | undefined {
  if (events === undefined) return undefined;
  const problems: Problem[] = [];
  events.forEach((type, index) => {
    if (isEventType(type)) return;
    const match = closest(type, EVENT_TYPES);
    problems.push({ pointer: `/events/${index}`, code: 'unknown-event-type', message: `unknown event type '${type}'${match ? ` (did you mean '${match}'?)` : ''}`, hint: `event types are ${EVENT_TYPES.join(', ')}` });
  });
  if (problems.length > 0) throw badRequest(problems);
  return [...new Set(events as EventType[])];
}

/** Compiles or refuses: a 400 whose details are every diagnostic, positioned in `text`. */
function compiled(name: string, text: string, events: readonly string[] | undefined): CompiledTemplate {
  const types = eventTypes(events);
  const template = compileTemplate(text, { name, file: `<api template ${name}>`, ...(types ? { eventTypes: types } : {}) });
  if (template.ok) return template;
  const errors = template.diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  throw new ApiError(400, 'invalid_template', `template '${name}' has ${errors.length} error${errors.length === 1 ? '' : 's'}${first ? `; first, at line ${first.line}, column ${first.column}: ${first.message}` : ''}`, {
    hint: 'details lists every problem with its line and column in the text; nothing was saved',
    details: template.diagnostics.map(diagnosticView),
  });
}

/** Webhooks that would be sent events the template (no longer) serves: they would fail to render. */
function usageWarnings(runtime: Runtime, template: CompiledTemplate): Problem[] {
  return [...runtime.configuration.webhooks.values()].filter((w) => w.template === template.name).flatMap((webhook) => {
    const unserved = selectedEventTypes(webhook).filter((type) => !template.serves(type));
    return unserved.length === 0 ? [] : [{
      pointer: '/events', code: 'template-does-not-serve',
      message: `webhook '${webhook.name}' uses this template and selects ${unserved.join(', ')}, which it does not serve: those events would fail to render`,
      hint: 'add them to events, or narrow the webhook\'s events',
    }];
  });
}

function save(runtime: Runtime, body: StoredTemplate, template: CompiledTemplate, action: 'create' | 'update', actor: string, now: number, expectedVersion: number) {
  const summary = `template ${body.name} ${action === 'create' ? 'created' : 'changed'} (serves ${template.eventTypes.join(', ')})`;
  try {
    runtime.store.putConfigObject({ kind: 'template', name: body.name, body, actor, at: now, expectedVersion }, runtime.changeBatch(actor, action, 'template', body.name, { summary, events: [...template.eventTypes] }));
  } catch (error) {
    if (error instanceof StoreConflictError) throw storeConflict('template', body.name);
    throw error;
  }
  runtime.applyTemplate(body.name, template);
  runtime.wakeDelivery();
  const warnings = [...template.diagnostics.filter((d) => d.severity === 'warning').map(diagnosticView), ...usageWarnings(runtime, template)];
  return { ...detailView(runtime, body.name, template), warnings };
}

// --- Preview ---------------------------------------------------------------------------------

/** Preview (and check) request bodies: an unsaved template of MAX_TEXT plus the event data. */
export const PREVIEW_BODY_LIMIT = 512 * 1024;

async function preview(runtime: Runtime, body: PreviewBody) {
  if ((body.template === undefined) === (body.text === undefined)) {
    throw new ApiError(400, 'invalid_request', 'give either template (a name) or text (an unsaved template), exactly one', { hint: '{"text": "{\\"v\\": \\"#value\\"}", "event": "alert.open"}' });
  }
  if (body.text !== undefined) {
    // Compiling unsaved text can take long (over a second for 256 KiB): never on the event loop.
    try {
      const job = { kind: 'preview' as const, limits: renderLimits(), body: { ...body, text: body.text } };
      const answer = await offloadThread().run(job);
      return answerOf(answer);
    } catch (error) {
      if (error instanceof OffloadError) throw offloadFailure(error, 'the preview');
      throw error;
    }
  }
  const name = body.template ?? '';
  const template = runtime.template(name);
  if (!template) throw unknownName('template', name, [...runtime.configuration.templates.keys(), ...PRESET_NAMES]);
  const type = previewEventType(body.event ?? template.eventTypes[0] ?? 'alert.open');
  const event = previewEvent(type, body.data);
  if (!template.serves(type)) {
    throw new ApiError(400, 'event_not_served', `template '${name}' does not serve ${type}`, { hint: `it serves ${template.eventTypes.join(', ')}` });
  }
  // Compiled already (and checked when saved): one render within its budget.
  return renderPreview(template, event, body.content_type ?? 'json');
}

// --- Routes ------------------------------------------------------------------------------------

const templateProperties = {
  text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, description: 'the JSON body with #variables and {{handlebars}}; diagnostics point into it' },
  events: { type: 'array', minItems: 1, maxItems: EVENT_TYPES.length, items: { type: 'string', minLength: 1, maxLength: 100 }, description: 'event types it serves (default: the alert events)' },
  description: { type: 'string', maxLength: 2000 },
} as const;

export function templateRoutes(): RouteSpec[] {
  return [
    route({
      method: 'GET', url: '/api/v1/templates', permission: 'read', tag: 'templates',
      summary: 'Templates from files and the API, then the built-in presets, with the event types each serves',
      handler: (_request, _reply, { runtime }) => {
        const user = [...runtime.configuration.templates.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, t]) => summaryView(runtime, name, t));
        const presets = PRESET_NAMES.flatMap((name) => {
          const template = presetTemplate(name);
          return template ? [summaryView(runtime, name, template)] : [];
        });
        return { templates: [...user, ...presets] };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/templates/variables', permission: 'read', tag: 'templates',
      summary: 'The #variables of an event type with their type, description and the value in the sample event (for completion)',
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { event: { type: 'string', minLength: 1, maxLength: 100, description: 'default alert.open' } } } },
      handler: (request) => {
        const type = (request.query as { event?: string }).event ?? 'alert.open';
        if (!isEventType(type)) {
          const match = closest(type, EVENT_TYPES);
          throw new ApiError(400, 'unknown_event_type', `unknown event type '${type}'${match ? ` (did you mean '${match}'?)` : ''}`, { hint: `event types are ${EVENT_TYPES.join(', ')}` });
        }
        const context = { event: sampleEvent(type), settings: PREVIEW_SETTINGS };
        const variables = variablesFor(type).variables.map((v) => ({ name: v.name, type: describeShape(v.shape), description: v.description, example: v.get(context) ?? null, isMap: v.isMap }));
        return { event: type, variables };
      },
    }),
    route({
      method: 'GET', url: '/api/v1/templates/:name', permission: 'read', tag: 'templates',
      summary: 'One template: its text, where it comes from (file, api, preset) and the event types it serves',
      schema: { params: nameParams },
      handler: (request, _reply, { runtime }) => {
        const { name } = request.params as { name: string };
        const template = runtime.template(name);
        if (!template) throw unknownName('template', name, [...runtime.configuration.templates.keys(), ...PRESET_NAMES]);
        return detailView(runtime, name, template);
      },
    }),
    route({
      method: 'POST', url: '/api/v1/templates', permission: 'templates:write', tag: 'templates',
      summary: 'Create a template; one with errors is refused with every diagnostic (line and column in text)',
      schema: {
        body: {
          type: 'object', required: ['name', 'text'], additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100, pattern: NAME_PATTERN }, ...templateProperties },
        },
      },
      handler: (request, reply, { runtime, actor, now }) => {
        const body = request.body as StoredTemplate;
        const { name } = body;
        const source = sourceOf(runtime, name);
        if (source === 'preset' || RESERVED.has(name)) {
          throw new ApiError(409, 'name_taken', `'${name}' is the name of a ${source === 'preset' ? 'built-in preset' : 'route'}`, { hint: `choose another name${source === 'preset' ? `; the presets are ${PRESET_NAMES.join(', ')}` : ''}` });
        }
        if (source === 'file') throw readOnly(runtime, 'template', name);
        if (source === 'api' || storedBody(runtime, name) !== null) {
          throw new ApiError(409, 'already_exists', `template '${name}' already exists`, { hint: `change it with PUT /api/v1/templates/${name}, or choose another name` });
        }
        const template = compiled(name, body.text, body.events);
        const saved = save(runtime, body, template, 'create', actor, now, 0);
        void reply.code(201).header('location', `/api/v1/templates/${encodeURIComponent(name)}`);
        return saved;
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/templates/:name', permission: 'templates:write', tag: 'templates',
      summary: 'Change a template (text, events, description); with errors nothing changes. Files and presets are read-only',
      schema: { params: nameParams, body: { type: 'object', required: ['text'], additionalProperties: false, properties: templateProperties } },
      handler: (request, _reply, { runtime, actor, now }) => {
        const { name } = request.params as { name: string };
        const source = sourceOf(runtime, name);
        if (source === null) throw unknownName('template', name, runtime.configuration.templates.keys());
        if (source === 'preset') throw new ApiError(409, 'read_only', `'${name}' is a built-in preset and cannot be changed`, { hint: `copy its text (GET /api/v1/templates/${name}) into a new template` });
        if (source === 'file') throw readOnly(runtime, 'template', name);
        const body = { name, ...(request.body as Omit<StoredTemplate, 'name'>) };
        const template = compiled(name, body.text, body.events);
        const version = runtime.store.getConfigObject('template', name)?.version ?? 0;
        return save(runtime, body, template, 'update', actor, now, version);
      },
    }),
    route({
      method: 'DELETE', url: '/api/v1/templates', permission: 'templates:write', tag: 'templates',
      summary: 'Delete templates by name; one still used by a webhook or a rule is refused. Files and presets are read-only',
      schema: { body: namesBody },
      handler: (request, _reply, { runtime, actor }) => {
        const names = [...new Set((request.body as { names: string[] }).names)];
        for (const name of names) {
          const source = sourceOf(runtime, name);
          if (source === 'file') throw readOnly(runtime, 'template', name);
          if (source === 'preset') throw new ApiError(409, 'read_only', `'${name}' is a built-in preset and cannot be deleted`);
        }
        // A webhook or rule naming a missing template would fail every send (and a file webhook, the next reload).
        const users = [
          ...[...runtime.configuration.webhooks.values()].filter((w) => names.includes(w.template)).map((w) => ({ kind: 'webhook', name: w.name, template: w.template })),
          ...runtime.configuration.rules.flatMap((rule) => rule.notify.filter((n) => n.template !== undefined && names.includes(n.template)).map((n) => ({ kind: 'rule', name: rule.name, template: n.template }))),
        ];
        if (users.length > 0) {
          throw new ApiError(409, 'template_in_use', `still used by ${users.map((u) => `${u.kind} '${u.name}' (${u.template})`).join(', ')}; nothing was deleted`, {
            hint: 'point those at another template first', details: users,
          });
        }
        const existing = names.filter((name) => storedBody(runtime, name) !== null);
        const batch = runtime.changeBatch(actor, 'delete', 'template', existing.join(', '), { summary: `template(s) ${existing.join(', ')} deleted` });
        const deleted = existing.length === 0 ? [] : runtime.store.deleteConfigObjects('template', existing, batch);
        for (const name of deleted) runtime.applyTemplate(name, null);
        if (deleted.length > 0) runtime.wakeDelivery();
        return { deleted, notFound: names.filter((name) => !deleted.includes(name)) };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/templates/preview', permission: 'read', tag: 'templates',
      summary: 'The exact body, content type and headers a template (stored, preset, or unsaved text) gives for a sample event; diagnostics instead when the text is bad',
      schema: {
        body: {
          type: 'object', additionalProperties: false,
          properties: {
            template: { type: 'string', minLength: 1, maxLength: 200, description: 'a stored template or a preset' },
            text: { type: 'string', minLength: 1, maxLength: MAX_TEXT, description: 'an unsaved template' },
            event: { type: 'string', minLength: 1, maxLength: 100, description: 'event type; default: the first one the template serves' },
            data: { type: 'object', description: "laid over the sample event: a whole event or fields of its data ({\"value\": 97.5})" },
            content_type: { type: 'string', enum: ['json', 'form'] },
          },
        },
      },
      bodyLimit: PREVIEW_BODY_LIMIT,
      handler: (request, _reply, { runtime }) => preview(runtime, request.body as PreviewBody),
    }),
  ];
}
