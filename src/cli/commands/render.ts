/**
 * `tocsin render TEMPLATE --event TYPE [--data event.json] [--config DIR] [--content-type json|form] [--pretty]`:
 * prints the exact body a webhook would receive for an event (stdout) and its Content-Type
 * (stderr), so it can be piped. TEMPLATE is a template of the config directory
 * (`<config>/templates/NAME.json`), a preset (flat, alertmanager, …) or a path to a .json file.
 * Without --data the event type's example event is used; --data may be a whole event or just
 * (part of) its data, laid over the example.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES, type EventType, type TocsinEvent } from '../../model/event.js';
import { closest, formatDiagnostics } from '../../parser/diagnostics.js';
import {
  compileTemplate,
  isEventType,
  isPresetName,
  PRESET_NAMES,
  presetTemplate,
  PREVIEW_SETTINGS,
  renderBody,
  sampleEvent,
  TemplateRenderError,
  validateEvent,
  type CompiledTemplate,
  type ContentType,
  type RenderSettings,
} from '../../templates/index.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';

export interface RenderArgs {
  /** A template name, a preset, or a path to a .json file. */
  template: string;
  /** The event type, e.g. alert.open. */
  event: string;
  /** A JSON file: a whole event, or (part of) its data. */
  data?: string;
  /** Config directory (default: $TOCSIN_CONFIG or ./rules). */
  config?: string;
  contentType?: string;
  /** Indent JSON for reading (then it is no longer the exact bytes sent). */
  pretty?: boolean;
  /** Finds templates declared elsewhere (a `templates:` section); tried before templates/NAME.json. */
  lookup?: (name: string, eventType: EventType) => CompiledTemplate | undefined;
  /** Settings the body is rendered with (receiver, params, …); PREVIEW_SETTINGS by default. */
  settings?: RenderSettings;
}

type Step<T> = { ok: true; value: T } | { ok: false; code: number; message: string };
const fail = (code: number, message: string): { ok: false; code: number; message: string } => ({ ok: false, code, message });

function suggestion(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === null ? '' : ` (did you mean '${match}'?)`;
}

function templateFiles(dir: string): string[] {
  try {
    return readdirSync(join(dir, 'templates')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

function resolveTemplate(args: RenderArgs, type: EventType): Step<CompiledTemplate> {
  const dir = args.config ?? process.env.TOCSIN_CONFIG ?? 'rules';
  const name = args.template;
  const declared = args.lookup?.(name, type);
  if (declared !== undefined) return { ok: true, value: declared };
  const inConfig = join(dir, 'templates', `${name}.json`);
  const file = !name.includes('/') && existsSync(inConfig) ? inConfig : name.endsWith('.json') && existsSync(name) ? name : null;
  if (file !== null) {
    const template = compileTemplate(readFileSync(file, 'utf8'), { name: name.replace(/^.*\//, '').replace(/\.json$/, ''), file, eventTypes: [type] });
    if (!template.ok) return fail(EXIT_FINDINGS, formatDiagnostics(template.diagnostics));
    return { ok: true, value: template };
  }
  if (isPresetName(name)) return { ok: true, value: presetTemplate(name)! };
  const known = [...PRESET_NAMES, ...templateFiles(dir)];
  return fail(
    EXIT_USAGE,
    `error: unknown template '${name}'${suggestion(name, known)}\n  hint: presets are ${PRESET_NAMES.join(', ')}; templates are read from ${join(dir, 'templates')}/NAME.json (--config DIR), or give a path to a .json file`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `patch` laid over `base`: objects merge key by key, anything else replaces. */
function overlay(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = overlay(base[key], value);
  return out;
}

function readEvent(args: RenderArgs, type: EventType): Step<TocsinEvent> {
  const sample = sampleEvent(type);
  if (args.data === undefined) return { ok: true, value: sample };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(args.data, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return fail(EXIT_USAGE, `error: --data ${args.data}: ${reason}\n  hint: pass a JSON file holding an event ({"type", "data", …}) or the fields of its data ({"value": 97.5})`);
  }
  if (!isPlainObject(parsed)) return fail(EXIT_USAGE, `error: --data ${args.data}: expected a JSON object`);
  let event: unknown;
  if ('type' in parsed && 'data' in parsed) {
    if (parsed.type !== type) return fail(EXIT_USAGE, `error: --data ${args.data} holds a ${String(parsed.type)} event but --event is ${type}`);
    event = { ...sample, ...parsed };
  } else {
    event = { ...sample, data: overlay(sample.data, parsed) };
  }
  const problems = validateEvent(event);
  if (problems.length > 0) return fail(EXIT_FINDINGS, `error: --data ${args.data} does not make a valid ${type} event:\n${problems.map((p) => `  ${p}`).join('\n')}\n  hint: the fields are in schemas/events/${type}.v1.json`);
  return { ok: true, value: event as TocsinEvent };
}

export async function runRender(args: RenderArgs, out: Output): Promise<number> {
  if (!isEventType(args.event)) {
    out.stderr(`error: unknown event type '${args.event}'${suggestion(args.event, EVENT_TYPES)}\n  hint: event types are ${EVENT_TYPES.join(', ')}\n`);
    return EXIT_USAGE;
  }
  const type = args.event;
  const contentType = args.contentType ?? 'json';
  if (contentType !== 'json' && contentType !== 'form') {
    out.stderr(`error: --content-type must be json or form, got '${contentType}'\n`);
    return EXIT_USAGE;
  }
  const template = resolveTemplate(args, type);
  if (!template.ok) {
    out.stderr(`${template.message}\n`);
    return template.code;
  }
  if (!template.value.serves(type)) {
    out.stderr(`error: template '${args.template}' does not serve ${type} (it serves ${template.value.eventTypes.join(', ')})\n`);
    return EXIT_FINDINGS;
  }
  const event = readEvent(args, type);
  if (!event.ok) {
    out.stderr(`${event.message}\n`);
    return event.code;
  }
  try {
    const rendered = renderBody(template.value, event.value, contentType as ContentType, args.settings ?? PREVIEW_SETTINGS);
    const body = args.pretty && contentType === 'json' ? JSON.stringify(JSON.parse(rendered.body), null, 2) : rendered.body;
    out.stderr(`Content-Type: ${rendered.contentType}\n`);
    out.stdout(`${body}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof TemplateRenderError) {
      // Out of budget: the compiler-style diagnostic, caret under the block or leaf where it ran out.
      const shown = error.diagnostic !== undefined ? formatDiagnostics([error.diagnostic]) : `error: ${error.message}`;
      out.stderr(`${shown}\n`);
      return EXIT_FINDINGS;
    }
    throw error;
  }
}
