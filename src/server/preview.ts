/**
 * What `POST /api/v1/templates/preview` computes, without the runtime: the sample event with the
 * caller's data laid over it, and the exact body a compiled template gives for it. Unsaved text is
 * compiled and rendered on the offload thread (offload/worker.ts); stored templates and presets,
 * already compiled, render here with the same budget.
 *
 * A render that runs out of its budget (budget.ts) is reported like a bad template: no body, and
 * a diagnostic that points at the block or leaf where it ran out.
 */
import { USER_AGENT } from '../delivery/request.js';
import { EVENT_TYPES, type EventType, type TocsinEvent } from '../model/event.js';
import { closest, type Diagnostic } from '../parser/diagnostics.js';
import {
  compileTemplate,
  isEventType,
  PREVIEW_SETTINGS,
  renderBody,
  sampleEvent,
  TemplateRenderError,
  validateEvent,
  type CompiledTemplate,
  type ContentType,
} from '../templates/index.js';
import type { RenderLimits } from '../templates/budget.js';
import { ApiError } from './errors.js';

export interface PreviewBody {
  template?: string;
  text?: string;
  event?: string;
  data?: Record<string, unknown>;
  content_type?: ContentType;
}

export interface DiagnosticView {
  severity: Diagnostic['severity'];
  code: string;
  message: string;
  line: number;
  column: number;
  length: number;
  hint?: string;
}

export interface PreviewResult {
  body: string | null;
  contentType: string | null;
  headers: Record<string, string>;
  diagnostics: DiagnosticView[];
  event: TocsinEvent;
}

export const diagnosticView = (d: Diagnostic): DiagnosticView => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  line: d.line,
  column: d.column,
  length: d.length,
  ...(d.hint !== undefined ? { hint: d.hint } : {}),
});

export function previewEventType(typeText: string): EventType {
  if (isEventType(typeText)) return typeText;
  const match = closest(typeText, EVENT_TYPES);
  const suggestion = match ? ` (did you mean '${match}'?)` : '';
  throw new ApiError(400, 'unknown_event_type', `unknown event type '${typeText}'${suggestion}`, {
    hint: `event types are ${EVENT_TYPES.join(', ')}`,
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `patch` laid over `base`: objects merge key by key, anything else replaces (as `tocsin render --data`). */
function overlay(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = overlay(base[key], value);
  return out;
}

/** The sample event of `type`, with `data` laid over it: a whole event ({type, data, …}) or fields of its data. */
export function previewEvent(type: EventType, data: Record<string, unknown> | undefined): TocsinEvent {
  const sample = sampleEvent(type);
  if (data === undefined) return sample;
  let event: unknown;
  if ('type' in data && 'data' in data) {
    if (data.type !== type) {
      throw new ApiError(400, 'invalid_data', `data holds a ${String(data.type)} event but event is ${type}`, {
        hint: 'give the same type in both, or only the fields of the event\'s data',
      });
    }
    event = { ...sample, ...data };
  } else {
    event = { ...sample, data: overlay(sample.data, data) };
  }
  const problems = validateEvent(event);
  if (problems.length > 0) {
    throw new ApiError(400, 'invalid_data', `data does not make a valid ${type} event: ${problems[0]}`, {
      hint: `the fields are in schemas/events/${type}.v1.json`,
      details: problems,
    });
  }
  return event as TocsinEvent;
}

/** The body a compiled template gives for the event, or the diagnostic of a render out of budget. */
export function renderPreview(template: CompiledTemplate, event: TocsinEvent, contentType: ContentType): PreviewResult {
  const diagnostics = template.diagnostics.map(diagnosticView);
  let rendered;
  try {
    rendered = renderBody(template, event, contentType, PREVIEW_SETTINGS);
  } catch (error) {
    if (error instanceof TemplateRenderError && error.code === 'budget-exceeded') {
      const diagnostic: DiagnosticView = error.diagnostic !== undefined
        ? diagnosticView(error.diagnostic)
        : {
          severity: 'error', code: 'render-budget-exceeded', message: error.message, line: 1, column: 1, length: 1,
          hint: 'print less per event, or raise TOCSIN_RENDER_MAX_BYTES (docs/operations.md "Limits")',
        };
      return { body: null, contentType: null, headers: {}, diagnostics: [...diagnostics, diagnostic], event };
    }
    if (error instanceof TemplateRenderError) {
      throw new ApiError(400, 'render_failed', error.message, { hint: 'check the data given for the event' });
    }
    throw error;
  }
  // The headers tocsin itself sets; a webhook adds its own, auth and signature.
  const headers = {
    'content-type': rendered.contentType, 'user-agent': USER_AGENT, 'webhook-id': event.id, 'idempotency-key': event.id,
  };
  return { body: rendered.body, contentType: rendered.contentType, headers, diagnostics, event };
}

/** Unsaved text: compiled for the one event type and rendered (runs on the offload thread). */
export function previewText(body: PreviewBody & { text: string }, limits: RenderLimits): PreviewResult {
  const type = previewEventType(body.event ?? 'alert.open');
  const event = previewEvent(type, body.data);
  const template = compileTemplate(body.text, { name: 'preview', file: '<preview>', eventTypes: [type], limits });
  if (!template.ok) {
    return { body: null, contentType: null, headers: {}, diagnostics: template.diagnostics.map(diagnosticView), event };
  }
  return renderPreview(template, event, body.content_type ?? 'json');
}
