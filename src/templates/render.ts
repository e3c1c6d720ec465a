/**
 * From a compiled template and an event to the bytes of a request body and its Content-Type
 * (SPEC §5): compact JSON, or for `content_type: form` the rendered object flattened to dotted
 * names and urlencoded. `createRenderer` is the templates module as delivery sees it.
 */
import type { TocsinEvent } from '../model/event.js';
import { TemplateRenderError, type CompiledTemplate } from './compile.js';
import type { RenderSettings } from './context.js';
import { encodeForm, flattenForm, formSigningString } from './form.js';

export type ContentType = 'json' | 'form';

export const CONTENT_TYPE_HEADERS: Readonly<Record<ContentType, string>> = {
  json: 'application/json; charset=utf-8',
  form: 'application/x-www-form-urlencoded',
};

export interface RenderedBody {
  body: string;
  /** The full header value. */
  contentType: string;
}

/** Throws TemplateRenderError (never for a template that compiled and serves the event's type, short of a bug). */
export function renderBody(template: CompiledTemplate, event: TocsinEvent, contentType: ContentType = 'json', settings?: RenderSettings): RenderedBody {
  if (contentType === 'form') {
    const body = encodeForm(flattenForm(template.render(event, settings)));
    // Percent-encoding can triple the rendered text: the form body is held to the byte budget too.
    if (body.length > template.limits.maxBytes) {
      const message = `template '${template.name}' failed for ${event.type} ${event.id}: ` +
        `the form body is ${body.length} bytes, more than the budget of ${template.limits.maxBytes}`;
      throw new TemplateRenderError('budget-exceeded', template.name, event.type, message);
    }
    return { body, contentType: CONTENT_TYPE_HEADERS.form };
  }
  return { body: template.renderJson(event, settings), contentType: CONTENT_TYPE_HEADERS.json };
}

export interface TemplateLookup {
  /** A user template or a preset by name. */
  get(name: string): CompiledTemplate | undefined;
}

export interface Renderer {
  /** Renders with the named template (or preset); `settings` (the webhook's receiver name, params) over the defaults. */
  render(template: string, event: TocsinEvent, contentType: ContentType, settings?: RenderSettings): RenderedBody;
  /** What Axibase signs for a form body. */
  formSigningString(body: string): string;
}

export function createRenderer(templates: TemplateLookup, defaults: RenderSettings = {}): Renderer {
  // Without defaults the merge is a copy of `settings`, and rendering only reads settings: skip it.
  const noDefaults = Object.keys(defaults).length === 0;
  return {
    render(name, event, contentType, settings) {
      const template = templates.get(name);
      if (template === undefined) throw new TemplateRenderError('unknown-template', name, event.type, `there is no template or preset named '${name}'`);
      return renderBody(template, event, contentType, settings === undefined ? defaults : noDefaults ? settings : { ...defaults, ...settings });
    },
    formSigningString,
  };
}
