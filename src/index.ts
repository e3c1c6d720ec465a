/**
 * tocsin as a library: the expression language, the engine and (as they land) templates and
 * delivery. Everything here is usable without the server.
 */
export {
  compile,
  check,
  DiagnosticError,
  EvaluationError,
  formatDiagnostic,
  formatDiagnostics,
  Environment,
  defaultEnvironment,
  ArrayWindow,
  type CompiledExpression,
  type CompileOptions,
  type Diagnostic,
  type SourceOrigin,
  type WindowView,
  type WindowSample,
  type Value,
  type EvaluationContext,
} from './parser/index.js';
export { parseDuration, formatDuration } from './model/duration.js';
export { SEVERITIES, type Severity } from './model/severity.js';
export { normalizeSample, type Sample, type SampleInput, type Entity, type MetricMetadata } from './model/sample.js';
export { EVENT_TYPES, type EventType, type TocsinEvent, type AlertEventData } from './model/event.js';
export { Engine, type EngineOptions, type EngineOutput, type EmittedEvent } from './engine/engine.js';
export { step, initialState, type AlertState, type StepInput, type Transition } from './engine/state.js';
export type { RuleDefinition } from './engine/rule.js';
export { compileTemplate, renderBody, TemplateRegistry, presetTemplate, sampleEvent, validateEvent, type CompiledTemplate } from './templates/index.js';
export { parseWebhook, type Webhook } from './delivery/index.js';
