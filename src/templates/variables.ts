/**
 * The `#variables` of each event type, declared once from the event schemas (SPEC §1, §5).
 *
 * - Every field of an event's `data` is a variable under its own name, nested fields with dots:
 *   `#value`, `#entity.label`, `#entity.tags` (a map: `#entity.tags.env`), `#error`.
 * - The envelope and the names users know from the seeds are declared below: `#event_type`,
 *   `#timestamp`, `#rule_name` (Axibase), `#alert_name`, `#alert_start`, … (Portal). A declared
 *   name is available for an event type exactly when that type's schema has the declared path.
 * - A few values are computed (`#summary`, `#alert_labels`, `#fingerprint`, `#timestamp_ms`) or
 *   come from the configuration (`#organization_name`, `#external_url`, `#receiver`, `#params.x`).
 *
 * The same table gives Handlebars its context (`view`): the event's data fields as they are
 * (so `{{entity.name}}` and `{{#each tags}}` work) plus every variable whose name has no dot.
 */
import { ALERT_EVENT_TYPES, EVENT_TYPES, type EventType } from '../model/event.js';
import { alertLabels, epochMillis, fingerprint, summarize } from './computed.js';
import { own, pathGetter, toText, type Getter, type RenderContext, type RenderSettings } from './context.js';
import { eventSchema, type EventSchemaNode } from './schemas.js';
import { mapOf, scalar, shapeOf, type Shape } from './shape.js';
import { resolveToken, scanTokens } from './tokens.js';

export interface Variable {
  /** Without the '#': `entity.tags`. */
  name: string;
  description: string;
  shape: Shape;
  /** A map of text (`#tags`): `#tags.<key>` reads one key. */
  isMap: boolean;
  /** Where the value comes from, for docs: `data.entity.name`, `computed`, `settings`. */
  source: string;
  get: Getter;
}

export interface VariableTable {
  readonly type: EventType;
  /** Sorted by name. */
  readonly variables: readonly Variable[];
  readonly names: readonly string[];
  get(name: string): Variable | undefined;
  /** The names and shapes Handlebars sees at the top of its context. */
  readonly viewFields: ReadonlyMap<string, Shape>;
  /** The Handlebars context of one render (built once per render). */
  view(ctx: RenderContext): Record<string, unknown>;
  /**
   * The context for a leaf that reads only `names` (handlebars-reads.ts): those fields of the
   * view, so a render computes no value the leaf does not read. Null names: the whole view.
   */
  viewReading(names: ReadonlySet<string> | null): (ctx: RenderContext) => Record<string, unknown>;
}

/** Settings used by previews (`tocsin render`, the preview API) and by the examples in docs/templates.md. */
export const PREVIEW_SETTINGS: RenderSettings = {
  organizationId: 'acme',
  organizationName: 'Acme Corp',
  externalUrl: 'https://tocsin.example.com',
  receiver: 'ops-chat',
  params: { routing_key: 'R0UT1NGKEY0000000000000000000000' },
};

const isAlert = (type: EventType) => (ALERT_EVENT_TYPES as readonly string[]).includes(type);
const always = () => true;

interface PathDeclaration {
  name: string;
  description: string;
  path: readonly string[];
  /** Overrides the plain path read (the message has its own #variables expanded). */
  get?: Getter;
}

interface ComputedDeclaration {
  name: string;
  description: string;
  shape: Shape;
  source: 'computed' | 'settings';
  when: (type: EventType) => boolean;
  get: Getter;
}

const messageGetter: Getter = (ctx) => expandedMessage(ctx);

/** Names with a fixed meaning; a data field of the same name gives way to them. */
const PATH_DECLARATIONS: readonly PathDeclaration[] = [
  { name: 'event_type', description: 'Type of the event, e.g. alert.open (Portal: #event_type).', path: ['type'] },
  { name: 'event_id', description: 'Id of the event; receivers drop duplicates by it.', path: ['id'] },
  { name: 'event_version', description: "Version of the event type's schema.", path: ['version'] },
  { name: 'timestamp', description: 'When the event happened, ISO 8601 UTC (Portal: #timestamp).', path: ['time'] },
  { name: 'severity', description: 'Severity of the event (for alerts, of the alert).', path: ['severity'] },
  {
    name: 'data',
    description: "The event's whole data object (its #message expanded).",
    path: ['data'],
    get: (ctx) => {
      const data = own(ctx.event, 'data');
      const message = own(data, 'message');
      if (typeof message !== 'string' || !message.includes('#')) return data;
      return { ...(data as Record<string, unknown>), message: expandedMessage(ctx) };
    },
  },
  { name: 'entity', description: 'Entity name (as in Axibase; the whole entity is {{entity}} in Handlebars).', path: ['data', 'entity', 'name'] },
  { name: 'metric', description: 'Metric name (as in Axibase; the whole metric is {{metric}} in Handlebars).', path: ['data', 'metric', 'name'] },
  { name: 'rule_name', description: 'Name of the rule (Axibase: rule_name).', path: ['data', 'rule'] },
  { name: 'message', description: "The message: the rule's `message:` for alerts (its own #variables expanded), the test sentence for webhook.test.", path: ['data', 'message'], get: messageGetter },
  { name: 'alert_name', description: 'Name of the rule that raised the alert (Portal: #alert_name).', path: ['data', 'rule'] },
  { name: 'alert_information', description: "Additional alert information: the rule's message (Portal: #alert_information).", path: ['data', 'message'], get: messageGetter },
  { name: 'alert_start', description: 'When the alert started, ISO 8601 UTC (Portal: #alert_start).', path: ['data', 'open_time'] },
  { name: 'alert_element', description: 'The element that triggered the alert: the entity name (Portal: #alert_element).', path: ['data', 'entity', 'name'] },
  { name: 'change_summary', description: 'What changed, in words (config.changed; #summary is the one-line summary of every event).', path: ['data', 'summary'] },
  { name: 'failed_event_id', description: 'Id of the event that could not be delivered.', path: ['data', 'event_id'] },
  { name: 'failed_event_type', description: 'Type of the event that could not be delivered.', path: ['data', 'event_type'] },
];

const COMPUTED_DECLARATIONS: readonly ComputedDeclaration[] = [
  { name: 'summary', description: 'One line saying what happened, for titles and chat messages.', shape: scalar('string'), source: 'computed', when: always, get: (ctx) => summarize(ctx.event) },
  { name: 'timestamp_ms', description: 'When the event happened, in epoch milliseconds.', shape: scalar('number', 'null'), source: 'computed', when: always, get: (ctx) => epochMillis(ctx.event) },
  { name: 'fingerprint', description: "16 hex digits, stable per rule and series for alerts (Alertmanager's fingerprint), per event otherwise.", shape: scalar('string'), source: 'computed', when: always, get: (ctx) => fingerprint(ctx.event) },
  { name: 'alert_labels', description: 'All labels of the alert as one map: sample tags, entity, metric, rule labels, severity, alertname.', shape: mapOf(scalar('string')), source: 'computed', when: isAlert, get: (ctx) => alertLabels(ctx.event) },
  { name: 'organization_id', description: 'Id of the organization running tocsin, from the configuration (Portal: #organization_id).', shape: scalar('string', 'null'), source: 'settings', when: always, get: (ctx) => ctx.settings.organizationId ?? null },
  { name: 'organization_name', description: 'Name of the organization, from the configuration (Portal: #organization_name).', shape: scalar('string', 'null'), source: 'settings', when: always, get: (ctx) => ctx.settings.organizationName ?? null },
  { name: 'external_url', description: 'Base URL of this tocsin, from the configuration, for links back.', shape: scalar('string', 'null'), source: 'settings', when: always, get: (ctx) => ctx.settings.externalUrl ?? null },
  { name: 'receiver', description: 'Name of the webhook receiving this body.', shape: scalar('string', 'null'), source: 'settings', when: always, get: (ctx) => ctx.settings.receiver ?? null },
  { name: 'params', description: "The receiving webhook's template parameters (`params:`), e.g. #params.routing_key.", shape: mapOf(scalar('string')), source: 'settings', when: always, get: (ctx) => ctx.settings.params ?? {} },
];

/** Variables whose value is (or contains) the message: not expanded inside the message itself. */
const USES_MESSAGE = new Set(['message', 'alert_information', 'data']);

function schemaAt(root: EventSchemaNode, path: readonly string[]): { node: EventSchemaNode; optional: boolean } | null {
  let node = root;
  let optional = false;
  for (const key of path) {
    const child = node.properties?.[key];
    if (child === undefined) return null;
    optional ||= !(node.required ?? []).includes(key);
    node = child;
  }
  return { node, optional };
}

function variableAt(name: string, description: string, root: EventSchemaNode, path: readonly string[], get?: Getter): Variable | null {
  const found = schemaAt(root, path);
  if (found === null) return null;
  const shape = shapeOf(found.node, found.optional);
  return { name, description, shape, isMap: shape.kind === 'map', source: path.join('.'), get: get ?? pathGetter(path) };
}

/** Every field of `data`, nested fields with dots: `entity`, `entity.name`, `entity.tags`. */
function dataFields(node: EventSchemaNode, prefix: string[], out: Array<{ name: string; path: string[]; node: EventSchemaNode }>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = [...prefix, key];
    out.push({ name: path.slice(1).join('.'), path, node: child });
    if (child.properties !== undefined) dataFields(child, path, out);
  }
}

function buildTable(type: EventType): VariableTable {
  const schema = eventSchema(type);
  const byName = new Map<string, Variable>();
  for (const declaration of PATH_DECLARATIONS) {
    const variable = variableAt(declaration.name, declaration.description, schema, declaration.path, declaration.get);
    if (variable !== null) byName.set(variable.name, variable);
  }
  for (const declaration of COMPUTED_DECLARATIONS) {
    if (!declaration.when(type)) continue;
    const { name, description, shape, source, get } = declaration;
    byName.set(name, { name, description, shape, isMap: shape.kind === 'map', source, get });
  }
  const fields: Array<{ name: string; path: string[]; node: EventSchemaNode }> = [];
  const dataSchema = schema.properties?.data;
  if (dataSchema !== undefined) dataFields(dataSchema, ['data'], fields);
  for (const field of fields) {
    if (byName.has(field.name)) continue;
    const variable = variableAt(field.name, field.node.description ?? '', schema, field.path, field.name === 'message' ? messageGetter : undefined);
    if (variable !== null) byName.set(variable.name, variable);
  }

  const variables = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Handlebars: the data fields as they are (objects stay objects), then the flat variables.
  const viewFields = new Map<string, Shape>();
  const viewGetters: Array<[string, Getter]> = [];
  for (const [key, child] of Object.entries(dataSchema?.properties ?? {})) {
    viewFields.set(key, shapeOf(child, !(dataSchema?.required ?? []).includes(key)));
    viewGetters.push([key, key === 'message' ? messageGetter : pathGetter(['data', key])]);
  }
  for (const variable of variables) {
    if (variable.name.includes('.') || viewFields.has(variable.name)) continue;
    viewFields.set(variable.name, variable.shape);
    viewGetters.push([variable.name, variable.get]);
  }

  const build = (getters: ReadonlyArray<readonly [string, Getter]>, ctx: RenderContext) => {
    const view: Record<string, unknown> = {};
    for (const [key, get] of getters) {
      const value = get(ctx);
      view[key] = value === undefined ? null : value;
    }
    return view;
  };
  const view = (ctx: RenderContext) => (ctx.view ??= build(viewGetters, ctx));

  return {
    type,
    variables,
    names: variables.map((v) => v.name),
    get: (name) => byName.get(name),
    viewFields,
    view,
    viewReading(names) {
      if (names === null) return view;
      // Same values as the whole view; a name that is no field stays absent there too.
      const getters = viewGetters.filter(([key]) => names.has(key));
      return (ctx) => build(getters, ctx);
    },
  };
}

const tables = new Map<EventType, VariableTable>();

/** The variables of one event type (built on first use from its schema). */
export function variablesFor(type: EventType): VariableTable {
  let table = tables.get(type);
  if (table === undefined) {
    table = buildTable(type);
    tables.set(type, table);
  }
  return table;
}

/** A getter for a resolved token: the variable, or one key of a map variable. */
export function tokenGetter(variable: Variable, key: string | null): Getter {
  if (key === null) return variable.get;
  const get = variable.get;
  return (ctx) => own(get(ctx), key);
}

// --- The rule message: it may use #variables itself (schemas/rules.schema.json, `message:`). ---

/** A message split into literal text and the getters of its #variables, resolved once per event type and text. */
type MessagePart = string | Getter;

const messageParts = new Map<EventType, Map<string, MessagePart[]>>();
const MESSAGE_CACHE_LIMIT = 1000;

function partsOf(type: EventType, text: string): MessagePart[] {
  let byText = messageParts.get(type);
  if (byText === undefined) {
    byText = new Map();
    messageParts.set(type, byText);
  }
  let parts = byText.get(text);
  if (parts === undefined) {
    if (byText.size >= MESSAGE_CACHE_LIMIT) byText.clear();
    parts = resolveMessage(variablesFor(type), text);
    byText.set(text, parts);
  }
  return parts;
}

/** A name the event type does not have stays as written, and so does one that is (or holds) the message itself. */
function resolveMessage(table: VariableTable, text: string): MessagePart[] {
  return scanTokens(text).map((piece) => {
    if (piece.kind === 'text') return piece.text;
    const resolved = resolveToken(piece.name, table);
    return resolved === null || USES_MESSAGE.has(resolved.variable.name) ? `#${piece.name}` : tokenGetter(resolved.variable, resolved.key);
  });
}

/**
 * The message with its #variables replaced as text. A name the event type does not have stays as
 * written (rule files are checked when loaded; a send never fails over a message).
 */
export function expandedMessage(ctx: RenderContext): unknown {
  if (ctx.message !== undefined) return ctx.message;
  const raw = own(own(ctx.event, 'data'), 'message');
  if (typeof raw !== 'string') return raw;
  if (!raw.includes('#') || !(EVENT_TYPES as readonly string[]).includes(ctx.event.type)) {
    ctx.message = raw;
    return raw;
  }
  let out = '';
  for (const part of partsOf(ctx.event.type, raw)) out += typeof part === 'string' ? part : toText(part(ctx));
  ctx.message = out;
  return out;
}
