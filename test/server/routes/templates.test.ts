/**
 * SPEC §5, §7: templates through the admin API. A template is checked when it is saved (positioned
 * diagnostics, did-you-mean) and never fails at send time; files and presets are read-only; the
 * preview shows the exact body for a sample event; every change is audited and announced.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESET_NAMES, sampleEvent } from '../../../src/templates/index.js';
import { startTestServer, type ApiResponse, type TestServer } from '../helpers.js';

const FILES = {
  'rules.yaml': `rules:
  - name: disk-full
    metric: disk
    condition: value > 95
`,
  'templates/from-file.json': '{ "text": "#rule_name on #entity" }\n',
};

const CHAT = '{\n  "text": "#rule_name is #status on #entity",\n  "value": "#value"\n}\n';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: FILES });
});
afterEach(async () => {
  await server.close();
});

const admin = (method: string, url: string, body?: unknown) => server.call(method, url, { token: server.tokens.admin, body });
const viewer = (method: string, url: string, body?: unknown) => server.call(method, url, { token: server.tokens.viewer, body });

interface ErrorJson {
  error: { code: string; message: string; hint?: string; details?: Array<Record<string, unknown>> };
}
const errorOf = (response: ApiResponse) => (response.json as ErrorJson).error;

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const offset = text.indexOf(needle);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

describe('CRUD', () => {
  it('creates a template, reads it, changes it and deletes it', async () => {
    const created = await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT, description: 'ops channel' });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.location).toBe('/api/v1/templates/chat');
    expect(created.json).toMatchObject({ name: 'chat', source: 'api', text: CHAT, description: 'ops channel', events: ['alert.open', 'alert.repeat', 'alert.cancel', 'alert.nodata', 'alert.flapping'] });
    expect(server.runtime.template('chat')?.ok).toBe(true);

    const read = await viewer('GET', '/api/v1/templates/chat');
    expect(read.json).toMatchObject({ name: 'chat', source: 'api', text: CHAT });

    const list = (await viewer('GET', '/api/v1/templates')).json as { templates: Array<{ name: string; source: string }> };
    expect(list.templates.map((t) => [t.name, t.source])).toEqual([['chat', 'api'], ['from-file', 'file'], ...PRESET_NAMES.map((name) => [name, 'preset'])]);

    const text = '{ "summary": "#summary" }';
    const changed = await admin('PUT', '/api/v1/templates/chat', { text, events: ['alert.open', 'config.changed'] });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json).toMatchObject({ text, events: ['alert.open', 'config.changed'] });
    expect(server.runtime.template('chat')?.serves('config.changed')).toBe(true);

    const deleted = await admin('DELETE', '/api/v1/templates', { names: ['chat', 'never-was'] });
    expect(deleted.json).toEqual({ deleted: ['chat'], notFound: ['never-was'] });
    expect(server.runtime.template('chat')).toBeUndefined();
    expect((await viewer('GET', '/api/v1/templates/chat')).status).toBe(404);
  });

  it('comes back after a reload from what was stored', async () => {
    await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT, events: ['alert.open'] });
    expect((await admin('POST', '/api/v1/reload')).status).toBe(200);
    expect(server.runtime.template('chat')?.eventTypes).toEqual(['alert.open']);
    expect((await viewer('GET', '/api/v1/templates/chat')).json).toMatchObject({ source: 'api', text: CHAT });
  });

  it('shows file templates and presets with their text', async () => {
    expect((await viewer('GET', '/api/v1/templates/from-file')).json).toMatchObject({ source: 'file', text: FILES['templates/from-file.json'] });
    const preset = (await viewer('GET', '/api/v1/templates/alertmanager')).json as { source: string; text: string; variants: Array<{ events: string[]; text: string }> };
    expect(preset.source).toBe('preset');
    expect(preset.variants.length).toBeGreaterThan(1);
    expect(preset.text).toBe(preset.variants[0]?.text);
    expect(() => JSON.parse(preset.text) as unknown).not.toThrow();
  });
});

describe('a template with errors is refused, and the version in force stays', () => {
  it('points at a misspelt variable with line, column and did-you-mean', async () => {
    const text = '{\n  "text": "#rule_nam is #status"\n}\n';
    const response = await admin('POST', '/api/v1/templates', { name: 'chat', text });
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe('invalid_template');
    expect(error.details).toEqual([expect.objectContaining({ ...positionOf(text, '#rule_nam'), code: 'unknown-variable', message: expect.stringContaining("did you mean '#rule_name'?") })]);
    expect(server.runtime.template('chat')).toBeUndefined();
    expect(server.runtime.store.getConfigObject('template', 'chat')).toBeNull();
  });

  it.each([
    ['broken JSON', '{ "text": "#rule_name", }', ', }'],
    ['an unknown helper', '{ "when": "{{formatDat open_time \\"yyyy\\"}}" }', 'formatDat'],
    ['a variable the event does not have', '{ "err": "#error" }', '#error'],
  ])('%s', async (_case, text, near) => {
    expect((await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT })).status).toBe(201);
    const response = await admin('PUT', '/api/v1/templates/chat', { text });
    expect(response.status, response.text).toBe(400);
    const [first] = errorOf(response).details ?? [];
    expect(first).toMatchObject(positionOf(text, near));
    expect(server.runtime.template('chat')?.serves('alert.open')).toBe(true);
    expect((await viewer('GET', '/api/v1/templates/chat')).json).toMatchObject({ text: CHAT });
  });

  it('refuses an unknown event type with did-you-mean and the pointer', async () => {
    const response = await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT, events: ['alert.open', 'alert.cancle'] });
    expect(response.status).toBe(400);
    expect(errorOf(response).details).toEqual([expect.objectContaining({ pointer: '/events/1', message: expect.stringContaining("did you mean 'alert.cancel'?") })]);
  });

  it('checks every variable for every event type served', async () => {
    const response = await admin('POST', '/api/v1/templates', { name: 'chat', text: '{ "v": "#value" }', events: ['alert.open', 'config.changed'] });
    expect(response.status).toBe(400);
    expect(errorOf(response).details?.[0]?.message).toContain('config.changed');
  });
});

describe('409: names are unique; files and presets are read-only', () => {
  it.each([
    ['an API template of the same name', 'POST', '/api/v1/templates', { name: 'chat', text: CHAT }, 'already_exists'],
    ['a preset name', 'POST', '/api/v1/templates', { name: 'slack', text: CHAT }, 'name_taken'],
    ['a file template name', 'POST', '/api/v1/templates', { name: 'from-file', text: CHAT }, 'defined_in_file'],
    ['a change to a file template', 'PUT', '/api/v1/templates/from-file', { text: CHAT }, 'defined_in_file'],
    ['a change to a preset', 'PUT', '/api/v1/templates/flat', { text: CHAT }, 'read_only'],
    ['deleting a file template', 'DELETE', '/api/v1/templates', { names: ['from-file'] }, 'defined_in_file'],
    ['deleting a preset', 'DELETE', '/api/v1/templates', { names: ['flat'] }, 'read_only'],
  ])('refuses %s', async (_case, method, url, body, code) => {
    expect((await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT })).status).toBe(201);
    const response = await admin(method, url, body);
    expect(response.status, response.text).toBe(409);
    expect(errorOf(response).code).toBe(code);
  });

  it('refuses to delete a template a webhook uses, and deletes nothing', async () => {
    await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT });
    await admin('POST', '/api/v1/templates', { name: 'spare', text: CHAT });
    const hook = await admin('POST', '/api/v1/webhooks', { name: 'ops', url: 'http://127.0.0.1:9/ops', template: 'chat', events: ['alert.open'] });
    expect(hook.status, hook.text).toBe(201);
    const response = await admin('DELETE', '/api/v1/templates', { names: ['spare', 'chat'] });
    expect(response.status).toBe(409);
    expect(errorOf(response)).toMatchObject({ code: 'template_in_use', details: [{ kind: 'webhook', name: 'ops', template: 'chat' }] });
    expect(server.runtime.template('spare')).toBeDefined();
  });

  it('warns when a change stops serving events a webhook using the template selects', async () => {
    await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT });
    await admin('POST', '/api/v1/webhooks', { name: 'ops', url: 'http://127.0.0.1:9/ops', template: 'chat', events: ['alert.open', 'alert.cancel'] });
    const response = await admin('PUT', '/api/v1/templates/chat', { text: CHAT, events: ['alert.open'] });
    expect(response.status).toBe(200);
    expect((response.json as { warnings: Array<{ code: string; message: string }> }).warnings).toEqual([
      expect.objectContaining({ code: 'template-does-not-serve', message: expect.stringContaining("webhook 'ops'") }),
    ]);
  });
});

describe('POST /api/v1/templates/preview', () => {
  interface Preview {
    body: string | null;
    contentType: string | null;
    headers: Record<string, string>;
    diagnostics: Array<{ line: number; column: number; message: string }>;
    event: { id: string };
  }
  const preview = async (body: unknown) => {
    const response = await viewer('POST', '/api/v1/templates/preview', body);
    expect(response.status, response.text).toBe(200);
    return response.json as Preview;
  };

  it.each(PRESET_NAMES.map((name) => [name]))('renders the %s preset for a sample event', async (name) => {
    const result = await preview({ template: name, event: 'alert.open' });
    expect(result.contentType).toBe('application/json; charset=utf-8');
    expect(() => JSON.parse(result.body ?? '') as unknown).not.toThrow();
    expect(result.headers).toMatchObject({ 'content-type': result.contentType, 'webhook-id': result.event.id, 'idempotency-key': result.event.id });
    expect(result.diagnostics).toEqual([]);
  });

  it('renders unsaved text with the sample event, and with data laid over it', async () => {
    const sample = sampleEvent('alert.open').data as { rule: string; value: number };
    const text = '{ "rule": "#rule_name", "v": "#value", "line": "#rule_name=#value" }';
    expect(JSON.parse((await preview({ text, event: 'alert.open' })).body!)).toEqual({ rule: sample.rule, v: sample.value, line: `${sample.rule}=${sample.value}` });
    expect(JSON.parse((await preview({ text, event: 'alert.open', data: { value: 97.5 } })).body!)).toMatchObject({ v: 97.5, line: `${sample.rule}=97.5` });
  });

  it('encodes form bodies', async () => {
    const result = await preview({ text: '{ "rule": "#rule_name", "entity": { "name": "#entity" } }', event: 'alert.open', content_type: 'form' });
    const sample = sampleEvent('alert.open').data as { rule: string; entity: { name: string } };
    expect(result.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(result.body!))).toEqual({ rule: sample.rule, 'entity.name': sample.entity.name });
  });

  it('renders a stored template', async () => {
    await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT });
    const sample = sampleEvent('alert.cancel').data as { value: number };
    expect(JSON.parse((await preview({ template: 'chat', event: 'alert.cancel' })).body!)).toMatchObject({ value: sample.value });
  });

  it('answers diagnostics instead of a body when the text is bad', async () => {
    const text = '{\n  "t": "#entity.lable"\n}';
    const result = await preview({ text, event: 'alert.open' });
    expect(result.body).toBeNull();
    expect(result.diagnostics).toEqual([expect.objectContaining({ ...positionOf(text, '#entity.lable'), message: expect.stringContaining('entity.label') })]);
  });

  it.each([
    ['both a template and text', { template: 'flat', text: '{}', event: 'alert.open' }, 400],
    ['neither', { event: 'alert.open' }, 400],
    ['an unknown template', { template: 'slak', event: 'alert.open' }, 404],
    ['an unknown event type', { template: 'flat', event: 'alert.opne' }, 400],
    ['an event the template does not serve', { template: 'from-file', event: 'config.changed' }, 400],
    ['data that does not fit the event', { template: 'flat', event: 'alert.open', data: { value: 'high' } }, 400],
    ['an unknown field', { template: 'flat', event: 'alert.open', colour: 'red' }, 400],
  ])('refuses %s', async (_case, body, status) => {
    const response = await viewer('POST', '/api/v1/templates/preview', body);
    expect(response.status, response.text).toBe(status);
    expect(errorOf(response).message).not.toBe('');
  });

  it('suggests the closest name', async () => {
    expect(errorOf(await viewer('POST', '/api/v1/templates/preview', { template: 'slak', event: 'alert.open' })).hint).toContain("'slack'");
    expect(errorOf(await viewer('POST', '/api/v1/templates/preview', { template: 'flat', event: 'alert.opne' })).message).toContain("'alert.open'");
  });
});

describe('GET /api/v1/templates/variables', () => {
  it('lists the variables of an event type with type, description and the sample value', async () => {
    const response = await viewer('GET', '/api/v1/templates/variables?event=alert.open');
    expect(response.status).toBe(200);
    const { variables } = response.json as { variables: Array<{ name: string; type: string; description: string; example: unknown }> };
    const sample = sampleEvent('alert.open').data as { rule: string };
    expect(variables.find((v) => v.name === 'rule_name')).toMatchObject({ type: 'string', example: sample.rule, description: expect.any(String) });
    expect(variables.map((v) => v.name)).toEqual([...variables.map((v) => v.name)].sort());
    expect(variables.some((v) => v.name === 'error')).toBe(false);

    const errors = (await viewer('GET', '/api/v1/templates/variables?event=rule.error')).json as { variables: Array<{ name: string }> };
    expect(errors.variables.some((v) => v.name === 'error')).toBe(true);
  });

  it('refuses an unknown event type with did-you-mean', async () => {
    const response = await viewer('GET', '/api/v1/templates/variables?event=alert.opne');
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toContain("did you mean 'alert.open'?");
  });
});

describe('every change is audited and announced', () => {
  it('writes an audit row and a config.changed event for create, update and delete', async () => {
    await admin('POST', '/api/v1/templates', { name: 'chat', text: CHAT });
    await admin('PUT', '/api/v1/templates/chat', { text: '{ "s": "#summary" }' });
    await admin('PUT', '/api/v1/templates/chat', { text: '{ "s": "#summry" }' }); // refused: no row
    await admin('DELETE', '/api/v1/templates', { names: ['chat'] });

    const audit = server.runtime.store.listAudit({ kind: 'template' });
    expect(audit.map((a) => [a.actor, a.action, a.name])).toEqual([
      ['token:test-admin', 'delete', 'chat'],
      ['token:test-admin', 'update', 'chat'],
      ['token:test-admin', 'create', 'chat'],
    ]);
    const events = server.runtime.store.listEvents({ type: 'config.changed' }).map((e) => e.event.data as { action: string; kind: string; name: string });
    expect(events.map((d) => [d.action, d.kind, d.name]).sort()).toEqual([['create', 'template', 'chat'], ['delete', 'template', 'chat'], ['update', 'template', 'chat']]);
  });
});
