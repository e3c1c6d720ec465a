/**
 * SPEC §3 and §7: the rules in force as written, checking rule text without changing anything,
 * and reloading the config directory all-or-nothing.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, writeConfigFiles, type TestServer } from '../helpers.js';

const RULES = `rules:
  - name: cpu-high
    description: CPU above 90
    metric: cpu
    filter: tags.cpu == 'total'
    window: time(5 minute)
    condition: avg() > 90
    cancel_when: avg() < 80
    for: 2m
    keep_firing_for: 1h30m
    repeat: { interval: 1h }
    schedule: { days: mon-fri, hours: '08:00-18:00', timezone: Europe/Berlin }
    severity: major
    overrides:
      - when: entity == 'build-1'
        disabled: true
    labels: { team: infra }
    notify:
      - webhook: ops
        on: [open, cancel]
webhooks:
  - name: ops
    url: http://127.0.0.1:9/ops
    template: flat
`;

const DISK = `rules:
  - name: disk-full
    metric: disk
    group_by: [entity, tags.path]
    condition: value > 95
    no_data: 10m
    severity: critical
`;

const BROKEN = `rules:
  - name: disk-full
    metric: disk
    condition: value > avgg(5)
    severity: critical
`;

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer({ files: { 'cpu.yaml': RULES } });
});
afterEach(async () => {
  await server.close();
});

async function rules() {
  const response = await server.call('GET', '/api/v1/rules', { token: server.tokens.viewer });
  expect(response.status).toBe(200);
  return response.json as { rules: Array<Record<string, unknown>>; loadedAt: string };
}

describe('GET /api/v1/rules shows the rules in force as written', () => {
  it('gives every option in the form of the rule file, with its file and line', async () => {
    const { rules: list, loadedAt } = await rules();
    expect(list).toEqual([{
      name: 'cpu-high', file: 'cpu.yaml', line: 2, description: 'CPU above 90', enabled: true, metrics: ['cpu'],
      filter: "tags.cpu == 'total'", group_by: null, window: 'time(5 minute)', condition: 'avg() > 90', cancel_when: 'avg() < 80',
      for: '2m', keep_firing_for: '1h30m', repeat: { interval: '1h' }, no_data: null, expect: null, flapping: null,
      schedule: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: ['08:00-18:00'], timezone: 'Europe/Berlin' },
      severity: 'major', overrides: [{ when: "entity == 'build-1'", disabled: true }], labels: { team: 'infra' },
      notify: [{ webhook: 'ops', on: ['open', 'cancel'] }], message: '', timezone: 'UTC', activeAlerts: 0,
    }]);
    expect(loadedAt).toBe(new Date(server.runtime.startedAt).toISOString());
  });
});

describe('POST /api/v1/rules/check checks text without changing anything', () => {
  it('accepts good files and names their rules', async () => {
    const response = await server.call('POST', '/api/v1/rules/check', { token: server.tokens.viewer, body: { files: [{ file: 'disk.yaml', text: DISK }] } });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ ok: true, errors: 0, diagnostics: [], formatted: '', rules: ['disk-full'] });
  });

  it('reports every mistake with its position and the compiler-style text', async () => {
    const text = `${BROKEN}  - name: other\n    metric: x\n    condition: valu > 1\n`;
    const response = await server.call('POST', '/api/v1/rules/check', { token: server.tokens.viewer, body: { files: [{ file: 'disk.yaml', text }] } });
    expect(response.status).toBe(200);
    const result = response.json as { ok: boolean; errors: number; diagnostics: Array<{ file: string; line: number; column: number; message: string }>; formatted: string; rules: string[] };
    expect(result.ok).toBe(false);
    expect(result.errors).toBe(2);
    expect(result.diagnostics.map((d) => [d.file, d.line, d.column])).toEqual([['disk.yaml', 4, 24], ['disk.yaml', 8, 16]]);
    expect(result.formatted).toContain("disk.yaml:4:24 error: unknown function 'avgg' (did you mean 'avg'?)");
    expect(result.formatted).toContain('^^^^');
    expect((await rules()).rules.map((r) => r.name)).toEqual(['cpu-high']);
  });

  it.each([
    [{ files: [] }, 'files'],
    [{ files: [{ file: 'a.yaml' }] }, "missing field 'text'"],
    [{ files: [{ file: 'a.yaml', text: '' }], merge: true }, "unknown field 'merge'"],
  ])('refuses a malformed request %j with a 400', async (body, message) => {
    const response = await server.call('POST', '/api/v1/rules/check', { token: server.tokens.viewer, body });
    expect(response.status).toBe(400);
    expect(response.text).toContain(message);
  });
});

describe('POST /api/v1/reload', () => {
  it('puts a good configuration in force and audits it', async () => {
    writeConfigFiles(server.configDir, { 'disk.yaml': DISK });
    server.clock.advance(5_000);
    const response = await server.call('POST', '/api/v1/reload', { token: server.tokens.admin });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toEqual({ ok: true, rules: ['cpu-high', 'disk-full'], diagnostics: [], formatted: '' });
    const after = await rules();
    expect(after.rules.map((r) => r.name)).toEqual(['cpu-high', 'disk-full']);
    expect(after.loadedAt).toBe(new Date(server.clock.now()).toISOString());
    expect(server.runtime.store.listAudit({ kind: 'rules' })).toEqual([expect.objectContaining({ actor: 'token:test-admin', action: 'reload' })]);
  });

  it('refuses a bad configuration with 422 and every diagnostic, and the old rules stay in force', async () => {
    writeConfigFiles(server.configDir, { 'disk.yaml': BROKEN });
    rmSync(join(server.configDir, 'cpu.yaml'));
    const response = await server.call('POST', '/api/v1/reload', { token: server.tokens.admin });
    expect(response.status).toBe(422);
    const error = (response.json as { error: { code: string; message: string; hint: string; details: Array<{ file: string; line: number; column: number; code: string }> } }).error;
    expect(error.code).toBe('invalid_configuration');
    expect(error.details.map((d) => [d.file, d.line, d.column])).toEqual([['disk.yaml', 4, 24]]);
    expect(error.message).toContain('nothing was changed');
    expect(error.message).toContain("disk.yaml:4:24 error: unknown function 'avgg'");
    expect(error.hint).toContain('rules/check');

    expect((await rules()).rules.map((r) => r.name)).toEqual(['cpu-high']);
    expect(server.runtime.engine.ruleNames()).toEqual(['cpu-high']);
    expect(server.runtime.store.listAudit({ kind: 'rules' })).toEqual([]);
  });

  it('refuses a config directory that is gone with 422', async () => {
    rmSync(server.configDir, { recursive: true });
    const response = await server.call('POST', '/api/v1/reload', { token: server.tokens.admin });
    expect(response.status).toBe(422);
    expect(response.text).toContain('does not exist');
    expect(server.runtime.engine.ruleNames()).toEqual(['cpu-high']);
  });
});
