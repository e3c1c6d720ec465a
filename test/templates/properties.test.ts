/**
 * Issue 14 item 9, the templates door: any template text compiles to a template or to positioned
 * diagnostics, and any event data renders to a body within the budget or to a TemplateRenderError
 * (a budget error with its place in the template); no other exception ever escapes. Small budgets
 * make the limits bite often; "within the budget" is checked on what comes out (bytes), never by
 * wall time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/parser/diagnostics.js';
import type { TocsinEvent } from '../../src/model/event.js';
import type { RenderLimits } from '../../src/templates/budget.js';
import { compileTemplate, renderBody, sampleEvent, TemplateRenderError, type CompiledTemplate } from '../../src/templates/index.js';

const LIMITS: RenderLimits = { maxDepth: 3, maxIterations: 300, maxBytes: 30_000 };

/** Pieces of templates: blocks (balanced or not), helpers, #tokens, broken syntax, odd characters. */
const FRAGMENTS = [
  '{{#each @root.tags}}', '{{#each tags}}', '{{/each}}', '{{#if value}}', '{{else}}', '{{else if status}}', '{{/if}}',
  '{{#unless entity.enabled}}', '{{/unless}}', '{{#with entity}}', '{{/with}}', '{{@key}}', '{{@index}}', '{{this}}',
  '{{json @root}}', '{{json tags}}', '{{upper status}}', '{{round value 2}}', '{{formatDate time "yyyy-LL-dd HH:mm" tz="UTC"}}',
  '{{duration alert_duration}}', '{{default entity.label "none"}}', '{{lookup tags "env"}}', '{{@root.message}}', '{{message}}',
  '{{../status}}', '{{#each @root.tags as |v k|}}', '{{k}}={{v}}', '{{!comment}}', '{{> partial}}', '{{*decorator}}',
  '{{unknown_helper x}}', '{{#bogus}}', '{{', '}}', '{{{raw}}}', '\\{{escaped}}', '#value', '#rule_name', '#tags.env',
  '#entity.label', '##', '#nope', 'x', ' ', '"', '\\', '\n', 'é', '😀', '\u2028', '<&>',
];

const leaf = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 14 }).map((parts) => parts.join(''));
/** A JSON document whose string leaves are random template text. */
const jsonTemplate = fc
  .record({ a: leaf, b: fc.array(leaf, { maxLength: 3 }), c: leaf, d: fc.constantFrom('#value', '#labels', '#tags', 1, null, true) })
  .map((doc) => JSON.stringify(doc, null, fc.sample(fc.constantFrom(0, 2), 1)[0]));
/** Anything at all, and JSON cut at a random place. */
const anyText = fc.oneof(
  jsonTemplate,
  fc.string({ maxLength: 200 }),
  fc.tuple(jsonTemplate, fc.nat()).map(([text, cut]) => text.slice(0, cut % (text.length + 1))),
);

function expectPositioned(diagnostics: readonly Diagnostic[], text: string): void {
  const lines = text.split('\n').length;
  for (const d of diagnostics) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(Math.max(1, lines));
    expect(d.column).toBeGreaterThanOrEqual(1);
    expect(d.length).toBeGreaterThanOrEqual(1);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

/** compile's contract: a template, or diagnostics with positions; never an exception. */
function compileOrDiagnose(text: string): CompiledTemplate {
  const template = compileTemplate(text, { name: 'fuzz', eventTypes: ['alert.open'], limits: LIMITS });
  if (!template.ok) expect(template.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  expectPositioned(template.diagnostics, text);
  return template;
}

/** Pieces valid in any scope (they read @root), and the blocks that nest them, up to the depth limit. */
const SAFE = [
  '{{@root.message}}', '{{json @root}}', '{{json @root.tags}}', '{{upper @root.status}}', '{{round @root.value 2}}',
  '{{formatDate @root.time "yyyy-LL-dd HH:mm" tz="UTC"}}', '{{duration @root.alert_duration}}', '{{default @root.entity.label "-"}}',
  '{{lookup @root.tags "env"}}', '#value', '#rule_name', '#tags.env', '#message', '#tags.env}', '{#value', '##', 'x', '"', 'é', '😀', '<&>',
];
const body = (depth: number): fc.Arbitrary<string> => {
  const flat = fc.array(fc.constantFrom(...SAFE), { maxLength: 5 }).map((parts) => parts.join(''));
  if (depth === 0) return flat;
  const inner = body(depth - 1);
  return fc.oneof(
    flat,
    fc.tuple(flat, inner, flat).map(([a, b, c]) => `${a}{{#each @root.tags}}${b}{{/each}}${c}`),
    fc.tuple(inner, inner).map(([a, b]) => `{{#if @root.value}}${a}{{else}}${b}{{/if}}`),
    inner.map((a) => `{{#with @root.entity}}${a}{{/with}}`),
    inner.map((a) => `{{#unless @root.value}}${a}{{/unless}}`),
  );
};
/** Templates that mostly compile: several leaves of nested blocks. */
const validTemplate = fc
  .record({ a: body(3), b: fc.array(body(2), { maxLength: 2 }), c: fc.constantFrom('#value', '#labels', '#tags', 1, null) })
  .map((doc) => JSON.stringify(doc));

/** Event data a hostile ingest client or preview caller could produce. */
const eventData = fc.record(
  {
    tags: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), { maxKeys: 40 }),
    message: fc.string({ maxLength: 3000 }),
    value: fc.oneof(fc.double(), fc.constant(null), fc.string({ maxLength: 5 })),
    labels: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    entity: fc.record({ name: fc.string({ maxLength: 20 }), label: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)), tags: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 20 }) }),
    status: fc.constantFrom('open', 'repeat', 'cancel', 'nodata', '', 42),
  },
  { requiredKeys: [] },
);

function eventWith(data: Record<string, unknown>): TocsinEvent {
  const sample = sampleEvent('alert.open');
  return { ...sample, data: { ...sample.data, ...data } } as TocsinEvent;
}

/** render's contract: a body within the byte budget, or a TemplateRenderError (a budget one with its place). */
function renderOrFail(template: CompiledTemplate, event: TocsinEvent, contentType: 'json' | 'form', text: string): void {
  let body: string;
  try {
    body = renderBody(template, event, contentType).body;
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateRenderError);
    const failure = error as TemplateRenderError;
    expect(['budget-exceeded', 'render-failed']).toContain(failure.code);
    if (failure.code === 'budget-exceeded' && failure.diagnostic !== undefined) expectPositioned([failure.diagnostic], text);
    return;
  }
  expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(LIMITS.maxBytes);
  if (contentType === 'json') expect(() => JSON.parse(body) as unknown).not.toThrow();
}

describe('any template text', () => {
  it('compiles to a template or to positioned diagnostics, never an exception', () => {
    fc.assert(fc.property(anyText, (text) => void compileOrDiagnose(text)), { numRuns: 400 });
  });

  it('is refused at load when blocks nest deeper than the limit', () => {
    const deep = fc.integer({ min: 4, max: 8 }).map((n) => JSON.stringify({ t: `${'{{#each tags}}'.repeat(n)}x${'{{/each}}'.repeat(n)}` }));
    fc.assert(fc.property(deep, (text) => {
      const template = compileOrDiagnose(text);
      expect(template.ok).toBe(false);
      expect(template.diagnostics.map((d) => d.code)).toContain('block-nesting-too-deep');
    }), { numRuns: 20 });
  });
});

describe('any event data', () => {
  it('renders a compiled template within its budget or fails with a TemplateRenderError, never another exception', () => {
    let rendered = 0;
    fc.assert(
      fc.property(fc.oneof(validTemplate, jsonTemplate), eventData, fc.constantFrom('json' as const, 'form' as const), (text, data, contentType) => {
        const template = compileOrDiagnose(text);
        if (!template.ok) return;
        rendered++;
        renderOrFail(template, eventWith(data), contentType, text);
      }),
      { numRuns: 200 },
    );
    // Most generated templates compile, so the property is about rendering, not about refusals.
    expect(rendered).toBeGreaterThan(60);
  });

  it('stops nested loops over many tags at the budget, on the Handlebars path', () => {
    const text = JSON.stringify({ t: '{{#each @root.tags}}{{#each @root.tags}}{{#each @root.tags}}{{@key}}{{/each}}{{/each}}{{/each}}' });
    const template = compileOrDiagnose(text);
    const manyTags = fc.dictionary(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 30 }), { minKeys: 5, maxKeys: 120 });
    fc.assert(fc.property(manyTags, (tags) => renderOrFail(template, eventWith({ tags }), 'json', text)), { numRuns: 60 });
  });
});
