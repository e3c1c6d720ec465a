/** Small helpers shared by the template tests. */
import { formatDiagnostics } from '../../src/parser/diagnostics.js';
import type { EventType, TocsinEvent } from '../../src/model/event.js';
import { compileTemplate, type CompiledTemplate } from '../../src/templates/compile.js';
import { sampleEvent } from '../../src/templates/schemas.js';
import { PREVIEW_SETTINGS } from '../../src/templates/variables.js';

export function compiled(text: string, eventTypes: readonly EventType[] = ['alert.open']): CompiledTemplate {
  const template = compileTemplate(text, { name: 'test', eventTypes });
  if (!template.ok) throw new Error(`expected the template to compile:\n${formatDiagnostics(template.diagnostics)}`);
  return template;
}

/** The printed diagnostics of a template that must not compile. */
export function printed(text: string, eventTypes: readonly EventType[] = ['alert.open']): string {
  const template = compileTemplate(text, { name: 'test', eventTypes });
  if (template.ok) throw new Error(`expected ${text} not to compile`);
  return formatDiagnostics(template.diagnostics);
}

export function codes(text: string, eventTypes: readonly EventType[] = ['alert.open']): string[] {
  return compileTemplate(text, { name: 'test', eventTypes }).diagnostics.map((d) => d.code);
}

/** The sample event of a type with some data fields replaced. */
export function eventWith(type: EventType, data: Record<string, unknown>): TocsinEvent {
  const event = sampleEvent(type);
  return { ...event, data: { ...event.data, ...data } };
}

/** Renders one leaf `"x": <leaf>` and returns the value of x (both emitters must agree). */
export function leaf(leafJson: string, event: TocsinEvent = sampleEvent('alert.open')): unknown {
  const template = compiled(`{"x": ${leafJson}}`, [event.type]);
  const text = template.renderJson(event, PREVIEW_SETTINGS);
  const value = template.render(event, PREVIEW_SETTINGS);
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(value)) throw new Error(`renderJson and render disagree: ${text} vs ${JSON.stringify(value)}`);
  return (value as { x: unknown }).x;
}
