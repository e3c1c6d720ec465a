/**
 * Message templates (SPEC §5) as a library: compile a JSON template with #variables and Handlebars
 * once, render bodies for events fast; presets, variables per event type, form encoding.
 */
export {
  compileTemplate,
  compileSources,
  htmlSafeJson,
  TemplateRenderError,
  DEFAULT_TEMPLATE_EVENTS,
  type CompiledTemplate,
  type CompileTemplateOptions,
  type JsonValue,
  type TemplateRenderErrorCode,
} from './compile.js';
export { textSource, valueSource, type TemplateSource } from './sources.js';
export { renderBody, createRenderer, CONTENT_TYPE_HEADERS, type ContentType, type RenderedBody, type Renderer, type TemplateLookup } from './render.js';
export { TemplateRegistry, type DefineOptions, type DefineResult } from './registry.js';
export { checkTemplateDeclaration, TEMPLATES_SCHEMA_ID, type TemplateCheck, type TemplateDeclaration } from './declarations.js';
export { PRESETS, PRESET_NAMES, isPresetName, presetTemplate, presetText, type Preset, type PresetSource } from './presets/index.js';
export { variablesFor, PREVIEW_SETTINGS, expandedMessage, type Variable, type VariableTable } from './variables.js';
export { eventSchema, sampleEvent, isEventType, type EventSchema } from './schemas.js';
export { flattenForm, encodeForm, parseForm, axibaseSigningString, formSigningString, formEncode, type FormPair } from './form.js';
export { HELPERS, type HelperSpec } from './helpers.js';
export { checkMessage } from './message.js';
export type { RenderSettings } from './context.js';
export { validateEvent } from './validate-event.js';
export {
  DEFAULT_RENDER_LIMITS,
  renderLimits,
  setRenderLimits,
  renderLimitsFromEnv,
  type RenderLimits,
} from './budget.js';
