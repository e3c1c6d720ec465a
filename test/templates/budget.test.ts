/**
 * SPEC §6 "Rendering has a budget" (issue 14 item 1), on the library: block nesting is checked
 * when a template is compiled, iterations, work and output bytes are counted while it renders,
 * on the Handlebars path and on the direct path (handlebars-direct.ts) alike, and a render that
 * runs out stops with an error that points into the template.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRender } from '../../src/cli/commands/render.js';
import type { TocsinEvent } from '../../src/model/event.js';
import {
  DEFAULT_RENDER_LIMITS,
  renderLimits,
  renderLimitsFromEnv,
  setRenderLimits,
  STEPS_PER_ITERATION,
} from '../../src/templates/budget.js';
import { compileTemplate, renderBody, sampleEvent, TemplateRenderError, type CompiledTemplate } from '../../src/templates/index.js';

afterEach(() => setRenderLimits(null));

const nested = (depth: number, inner = '{{@key}}') => `${'{{#each @root.tags}}'.repeat(depth)}${inner}${'{{/each}}'.repeat(depth)}`;

function withTags(n: number, extra: Record<string, unknown> = {}): TocsinEvent {
  const event = sampleEvent('alert.open');
  const tags = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));
  return { ...event, data: { ...event.data, tags, ...extra } } as TocsinEvent;
}

function compile(text: string, limits?: Parameters<typeof compileTemplate>[1]['limits']): CompiledTemplate {
  return compileTemplate(text, { name: 't', eventTypes: ['alert.open'], ...(limits ? { limits } : {}) });
}

/** The error a render throws (and fails the test when it does not throw one). */
function renderError(template: CompiledTemplate, event: TocsinEvent, contentType: 'json' | 'form' = 'json'): TemplateRenderError {
  try {
    renderBody(template, event, contentType);
  } catch (error) {
    if (error instanceof TemplateRenderError) return error;
    throw error;
  }
  throw new Error('the render did not fail');
}

/** 1-based line and column of the `nth` occurrence of `needle`. */
function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

describe('defaults and settings', () => {
  it('defaults to depth 3, 10,000 iterations and 1 MiB', () => {
    expect(DEFAULT_RENDER_LIMITS).toEqual({ maxDepth: 3, maxIterations: 10_000, maxBytes: 1_048_576 });
    expect(renderLimitsFromEnv({})).toEqual({ ok: true, limits: DEFAULT_RENDER_LIMITS });
  });

  it('reads TOCSIN_TEMPLATE_MAX_DEPTH, TOCSIN_RENDER_MAX_ITERATIONS and TOCSIN_RENDER_MAX_BYTES', () => {
    expect(renderLimitsFromEnv({ TOCSIN_TEMPLATE_MAX_DEPTH: '5', TOCSIN_RENDER_MAX_ITERATIONS: '200', TOCSIN_RENDER_MAX_BYTES: '4096' }))
      .toEqual({ ok: true, limits: { maxDepth: 5, maxIterations: 200, maxBytes: 4096 } });
  });

  it.each(['0', '-1', '1.5', 'lots', '1e400'])('refuses %s with the variable, the value and the default', (value) => {
    const result = renderLimitsFromEnv({ TOCSIN_RENDER_MAX_ITERATIONS: value });
    expect(result).toEqual({ ok: false, error: `TOCSIN_RENDER_MAX_ITERATIONS must be a whole number of at least 1, got '${value}' (default 10000)` });
  });

  it('applies the process limits to templates compiled after they are set', () => {
    setRenderLimits({ maxIterations: 5 });
    expect(renderLimits().maxIterations).toBe(5);
    const template = compile(`{ "t": "${nested(1)}" }`);
    expect(template.limits.maxIterations).toBe(5);
    expect(renderBody(template, withTags(5)).body).toContain('k4');
    expect(renderError(template, withTags(6)).code).toBe('budget-exceeded');
  });
});

describe('nesting of block helpers is checked at load', () => {
  it('accepts three nested blocks and refuses four, pointing at the fourth', () => {
    expect(compile(`{ "t": "${nested(3)}" }`).ok).toBe(true);
    const text = `{\n  "t": "${nested(4)}"\n}`;
    const template = compile(text);
    expect(template.ok).toBe(false);
    expect(template.diagnostics).toHaveLength(1);
    expect(template.diagnostics[0]).toMatchObject({ code: 'block-nesting-too-deep', ...positionOf(text, '{{#each', 3), length: '{{#each'.length });
  });

  it('counts {{#if}}, {{#with}} and {{#unless}} as blocks', () => {
    const text = '{ "t": "{{#with entity}}{{#if name}}{{#unless enabled}}{{#each tags}}x{{/each}}{{/unless}}{{/if}}{{/with}}" }';
    expect(compile(text).diagnostics[0]).toMatchObject({ code: 'block-nesting-too-deep', ...positionOf(text, '{{#each') });
  });

  it('does not count a chain of {{else if}} as nesting', () => {
    const chain = "{{#if (eq @root.status 'open')}}a{{else if (eq @root.status 'repeat')}}b{{else if (eq @root.status 'cancel')}}c{{else if (eq @root.status 'nodata')}}d{{else}}e{{/if}}";
    expect(compile(`{ "t": "{{#each tags}}{{#if @first}}${chain}{{/if}}{{/each}}" }`).ok).toBe(true);
  });

  it('reports sibling blocks too deep once each', () => {
    const text = `{ "a": "${nested(4)}", "b": "${nested(5)}" }`;
    expect(compile(text).diagnostics.map((d) => d.code)).toEqual(['block-nesting-too-deep', 'block-nesting-too-deep']);
  });

  it('follows a configured depth', () => {
    expect(compile(`{ "t": "${nested(4)}" }`, { maxDepth: 4 }).ok).toBe(true);
    expect(compile(`{ "t": "${nested(2)}" }`, { maxDepth: 1 }).ok).toBe(false);
  });
});

describe('iterations are counted while rendering', () => {
  const template = compile(`{ "t": "${nested(3, 'x')}" }`);

  it('renders 9,261 + 441 + 21 = 9,723 iterations (21 tags, three deep) in full', () => {
    expect(JSON.parse(renderBody(template, withTags(21)).body)).toEqual({ t: 'x'.repeat(21 ** 3) });
  });

  it('stops at 10,000 iterations (22 tags are 10,648 + 484 + 22), pointing at the loop that ran out', () => {
    const text = `{ "t": "${nested(3, 'x')}" }`;
    const error = renderError(compile(text), withTags(22));
    expect(error.code).toBe('budget-exceeded');
    expect(error.message).toMatch(/10000 \{\{#each\}\} iterations/);
    expect(error.diagnostic).toMatchObject({ code: 'render-budget-exceeded', ...positionOf(text, '{{#each', 2) });
  });

  it('counts exactly: the limit itself passes, one more fails', () => {
    const one = compile(`{ "t": "${nested(1, 'x')}" }`, { maxIterations: 50 });
    expect(JSON.parse(renderBody(one, withTags(50)).body)).toEqual({ t: 'x'.repeat(50) });
    expect(renderError(one, withTags(51)).code).toBe('budget-exceeded');
  });

  it('counts the loops of every leaf of the body together', () => {
    const text = `{ "a": "${nested(1, 'x')}", "b": ["${nested(1, 'y')}"] }`;
    const template = compile(text, { maxIterations: 60 });
    expect(renderBody(template, withTags(30)).body).toBe(`{"a":"${'x'.repeat(30)}","b":["${'y'.repeat(30)}"]}`);
    expect(renderError(template, withTags(31)).diagnostic).toMatchObject(positionOf(text, '{{#each', 1));
  });

  it('stops a loop whose body is costly long before its iterations run out (work)', () => {
    const body = '{{#if @root.value}}{{/if}}'.repeat(100);
    const template = compile(`{ "t": "{{#each @root.tags}}${body}{{/each}}" }`);
    const error = renderError(template, withTags(5000));
    expect(error.message).toMatch(new RegExp(`budget of work \\(${10_000 * STEPS_PER_ITERATION} expressions`));
  });

  it('renders a budget-exhausting template fine for the example event at load (3 tags), so it only fails on real data', () => {
    expect(compile(`{ "t": "${nested(3)}" }`).ok).toBe(true);
  });
});

describe('output bytes are counted while rendering', () => {
  it('stops a loop that writes more than the limit, on the Handlebars path', () => {
    const text = '{ "t": "{{#each @root.tags}}{{@root.message}}{{/each}}" }';
    const error = renderError(compile(text), withTags(600, { message: 'm'.repeat(2000) }));
    expect(error.message).toMatch(/1048576 bytes of output/);
    expect(error.diagnostic).toMatchObject({ code: 'render-budget-exceeded', ...positionOf(text, '{{#each') });
  });

  it('charges text a helper makes inside a loop, printed or not', () => {
    const text = '{ "t": "{{#each @root.tags}}{{#if (eq (json @root) \\"x\\")}}never{{/if}}{{/each}}" }';
    const error = renderError(compile(text, { maxBytes: 20_000 }), withTags(200));
    expect(error.message).toMatch(/20000 bytes of output/);
  });

  it('stops a leaf on the direct path (no Handlebars runtime) that writes more than the limit', () => {
    // The helpers charge what they make, so it stops inside the leaf, pointing at it.
    const text = `{ "t": "${'{{upper message}}'.repeat(40)}" }`;
    const template = compile(text, { maxBytes: 50_000 });
    expect(renderBody(template, withTags(1, { message: 'm'.repeat(1000) })).body).toContain('M'.repeat(1000));
    const error = renderError(template, withTags(1, { message: 'm'.repeat(2000) }));
    expect(error.message).toMatch(/50000 bytes of output/);
    expect(error.diagnostic).toMatchObject({ code: 'render-budget-exceeded', line: 1, column: positionOf(text, '"{{upper').column });
  });

  it('charges a helper in a loop on the direct-path helpers too ({{upper}} inside {{#each}})', () => {
    const text = '{ "t": "{{#each @root.tags}}{{upper @root.message}}{{/each}}" }';
    const error = renderError(compile(text, { maxBytes: 50_000 }), withTags(100, { message: 'm'.repeat(1000) }));
    expect(error.message).toMatch(/50000 bytes of output/);
    expect(error.diagnostic).toMatchObject(positionOf(text, '{{#each'));
  });

  it('stops a plain #token leaf that writes more than the limit', () => {
    const template = compile(`{ "t": "${'#message '.repeat(30)}" }`, { maxBytes: 50_000 });
    expect(renderError(template, withTags(1, { message: 'm'.repeat(2000) })).code).toBe('budget-exceeded');
  });

  it('holds the finished JSON body (escapes included) to the limit in UTF-8 bytes', () => {
    const template = compile('{ "t": "#message" }', { maxBytes: 10_000 });
    expect(renderBody(template, withTags(1, { message: 'é'.repeat(4000) })).body).toHaveLength(4000 + 8);
    expect(renderError(template, withTags(1, { message: 'é'.repeat(6000) })).code).toBe('budget-exceeded');
    expect(renderError(template, withTags(1, { message: '<'.repeat(2000) })).code).toBe('budget-exceeded');
  });

  it('holds a form body to the limit', () => {
    const template = compile('{ "t": "#message" }', { maxBytes: 10_000 });
    expect(renderError(template, withTags(1, { message: '&'.repeat(4000) }), 'form').code).toBe('budget-exceeded');
  });
});

describe('tocsin render', () => {
  it('prints the diagnostic of a render out of budget compiler-style, caret under the loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-budget-'));
    try {
      const text = `{\n  "t": "${nested(3)}"\n}\n`;
      writeFileSync(join(dir, 'loops.json'), text);
      const tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, `v${i}`]));
      writeFileSync(join(dir, 'event.json'), JSON.stringify({ tags }));
      let stdout = '';
      let stderr = '';
      const code = await runRender({ template: join(dir, 'loops.json'), event: 'alert.open', data: join(dir, 'event.json'), config: dir }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const { line, column } = positionOf(text, '{{#each', 2);
      expect(stderr).toContain(`${join(dir, 'loops.json')}:${line}:${column} error: the render ran out of its budget of 10000 {{#each}} iterations`);
      expect(stderr).toContain(`${' '.repeat(column - 1)}^^^^^^^`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tocsin and the limit variables', () => {
  it('refuses to run with a bad value (exit 2), naming the variable', async () => {
    const { main } = await import('../../src/cli/main.js');
    const saved = process.env.TOCSIN_RENDER_MAX_BYTES;
    process.env.TOCSIN_RENDER_MAX_BYTES = 'plenty';
    try {
      let stderr = '';
      const code = await main(['node', 'tocsin', 'render', 'flat', '--event', 'alert.open'], { stdout: () => {}, stderr: (t) => (stderr += t) });
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: TOCSIN_RENDER_MAX_BYTES must be a whole number of at least 1, got 'plenty' \(default 1048576\)/);
    } finally {
      if (saved === undefined) delete process.env.TOCSIN_RENDER_MAX_BYTES;
      else process.env.TOCSIN_RENDER_MAX_BYTES = saved;
    }
  });
});
