/**
 * Issue 14 item 1, through the real server: rendering has a budget. A viewer's preview of nested
 * {{#each @root.tags}} used to take seconds, return megabytes and stall /healthz; now the nesting
 * is refused at load, a render that runs out of iterations or bytes stops with a positioned
 * diagnostic, preview and check bodies are limited, and the server answers other requests while
 * a costly preview or check runs (counted, not timed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: { 'rules.yaml': 'rules:\n  - name: disk-full\n    metric: disk\n    condition: value > 95\n' } });
});
afterEach(async () => {
  await server.close();
});

const viewer = (method: string, url: string, body?: unknown) => server.call(method, url, { token: server.tokens.viewer, body });

interface DiagnosticJson {
  code: string;
  message: string;
  line: number;
  column: number;
  length: number;
  hint?: string;
}
interface PreviewJson {
  body: string | null;
  diagnostics: DiagnosticJson[];
}

const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag-${i}`, `value-${i}`]));
const nested = (depth: number, inner = '{{@key}}') => `${'{{#each @root.tags}}'.repeat(depth)}${inner}${'{{/each}}'.repeat(depth)}`;

/** 1-based line and column of the `nth` (0-based) occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(needle, offset + 1);
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

const errorDiagnostics = (response: ApiResponse) => (response.json as PreviewJson).diagnostics.filter((d) => d.code !== undefined);

describe('preview: rendering has a budget', () => {
  it('refuses four nested {{#each}} at load, pointing at the fourth, without rendering', async () => {
    const text = `{\n  "text": "${nested(4)}"\n}`;
    const response = await viewer('POST', '/api/v1/templates/preview', { text, event: 'alert.open', data: { tags: tags(20) } });
    expect(response.status).toBe(200);
    const result = response.json as PreviewJson;
    expect(result.body).toBeNull();
    expect(response.text.length).toBeLessThan(10_000);
    const [diagnostic] = errorDiagnostics(response);
    expect(diagnostic).toMatchObject({ code: 'block-nesting-too-deep', ...positionOf(text, '{{#each', 3) });
    expect(diagnostic!.message).toMatch(/nested more than 3 deep/);
    expect(diagnostic!.hint).toMatch(/TOCSIN_TEMPLATE_MAX_DEPTH/);
  });

  it('stops three nested {{#each}} over 60 tags at 10,000 iterations, pointing at the loop that ran out', async () => {
    const text = `{ "text": "${nested(3)}" }`;
    const response = await viewer('POST', '/api/v1/templates/preview', { text, event: 'alert.open', data: { tags: tags(60) } });
    expect(response.status).toBe(200);
    expect((response.json as PreviewJson).body).toBeNull();
    expect(response.text.length).toBeLessThan(10_000);
    const [diagnostic] = errorDiagnostics(response);
    expect(diagnostic).toMatchObject({ code: 'render-budget-exceeded', ...positionOf(text, '{{#each', 2) });
    expect(diagnostic!.message).toMatch(/10000 \{\{#each\}\} iterations/);
  });

  it('renders the same template over 21 tags (9,723 iterations) in full', async () => {
    const text = `{ "text": "${nested(3, 'x')}" }`;
    // The data is laid over the sample event, whose 3 tags stay: 21 in all.
    const response = await viewer('POST', '/api/v1/templates/preview', { text, event: 'alert.open', data: { tags: tags(18) } });
    expect(response.status).toBe(200);
    expect(JSON.parse((response.json as PreviewJson).body!)).toEqual({ text: 'x'.repeat(21 ** 3) });
  });

  it('stops a render that writes more than 1 MiB', async () => {
    const text = '{ "text": "{{#each @root.tags}}{{#each @root.tags}}{{@root.message}}{{/each}}{{/each}}" }';
    const response = await viewer('POST', '/api/v1/templates/preview', { text, event: 'alert.open', data: { tags: tags(40), message: 'm'.repeat(2000) } });
    expect(response.status).toBe(200);
    expect((response.json as PreviewJson).body).toBeNull();
    const [diagnostic] = errorDiagnostics(response);
    expect(diagnostic).toMatchObject({ code: 'render-budget-exceeded', line: 1 });
    expect(diagnostic!.message).toMatch(/1048576 bytes/);
  });

  it('holds a stored template to the same budget when a viewer previews it with hostile data', async () => {
    const created = await server.call('POST', '/api/v1/templates', { token: server.tokens.admin, body: { name: 'loops', text: `{ "t": "${nested(3)}" }` } });
    expect(created.status).toBe(201);
    const response = await viewer('POST', '/api/v1/templates/preview', { template: 'loops', event: 'alert.open', data: { tags: tags(60) } });
    expect(response.status).toBe(200);
    expect((response.json as PreviewJson).body).toBeNull();
    expect(errorDiagnostics(response)[0]).toMatchObject({ code: 'render-budget-exceeded' });
  });

  it('refuses to save a template nested too deep, with the position', async () => {
    const text = `{ "t": "${nested(4)}" }`;
    const response = await server.call('POST', '/api/v1/templates', { token: server.tokens.admin, body: { name: 'deep', text } });
    expect(response.status).toBe(400);
    const details = (response.json as { error: { details: DiagnosticJson[] } }).error.details;
    expect(details[0]).toMatchObject({ code: 'block-nesting-too-deep', ...positionOf(text, '{{#each', 3) });
  });

  it('limits the size of a preview request (413) and says so', async () => {
    const response = await viewer('POST', '/api/v1/templates/preview', { text: '{ "v": "#value" }', data: { message: 'x'.repeat(600 * 1024) } });
    expect(response.status).toBe(413);
    expect((response.json as { error: { code: string } }).error.code).toBe('body_too_large');
  });
});

describe('rules/check: rendering has a budget', () => {
  it('reports a template file nested too deep with its file, line and column', async () => {
    const text = `{\n  "text": "${nested(4)}"\n}\n`;
    const response = await viewer('POST', '/api/v1/rules/check', { files: [{ file: 'templates/loops.json', text }] });
    expect(response.status).toBe(200);
    const result = response.json as { ok: boolean; diagnostics: Array<DiagnosticJson & { file: string }> };
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ file: 'templates/loops.json', code: 'block-nesting-too-deep', ...positionOf(text, '{{#each', 3) });
  });

  it('limits the size of a check request (413)', async () => {
    const response = await viewer('POST', '/api/v1/rules/check', { files: [{ file: 'a.yaml', text: 'x'.repeat(1000) }, ...Array.from({ length: 2 }, (_, i) => ({ file: `b${i}.yaml`, text: 'y'.repeat(600 * 1024) }))] });
    expect(response.status).toBe(413);
  });
});

describe('a costly preview or check does not hold the server', () => {
  /**
   * Starts `slow` and counts the /healthz answers, over real HTTP on 127.0.0.1, that arrive
   * before it settles. While a request blocks the event loop no other request is answered, so
   * the count stays at one or two; off the loop it is the number of round trips that fit in the
   * request's time.
   */
  async function healthzWhile(slow: Promise<ApiResponse>): Promise<{ answered: number; response: ApiResponse }> {
    const base = await server.app.listen({ host: '127.0.0.1', port: 0 });
    let settled = false;
    void slow.finally(() => {
      settled = true;
    });
    let answered = 0;
    for (let i = 0; i < 100_000 && !settled; i++) {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      await health.arrayBuffer();
      if (!settled) answered++;
    }
    return { answered, response: await slow };
  }

  // Seconds of Handlebars compilation, then a render that runs out of its budget.
  const heavy = `{ "text": "${'{{#if value}}x{{/if}}'.repeat(1000)}${nested(3)}" }`;

  it('answers /healthz many times while a viewer previews a costly template', async () => {
    const { answered, response } = await healthzWhile(viewer('POST', '/api/v1/templates/preview', { text: heavy, event: 'alert.open', data: { tags: tags(60) } }));
    expect(response.status).toBe(200);
    expect(errorDiagnostics(response)[0]).toMatchObject({ code: 'render-budget-exceeded' });
    expect(answered).toBeGreaterThanOrEqual(10);
  });

  it('answers /healthz many times while a viewer checks a costly template file', async () => {
    const { answered, response } = await healthzWhile(viewer('POST', '/api/v1/rules/check', { files: [{ file: 'templates/heavy.json', text: heavy }] }));
    expect(response.status).toBe(200);
    expect((response.json as { ok: boolean }).ok).toBe(true);
    expect(answered).toBeGreaterThanOrEqual(10);
  });
});
