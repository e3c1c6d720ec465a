/** `tocsin render` (src/cli/commands/render.ts), run in process with captured output. */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRender, type RenderArgs } from '../../src/cli/commands/render.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-render-'));
mkdirSync(join(dir, 'templates'));
writeFileSync(join(dir, 'templates', 'chat.json'), '{"text": "#rule_name is #status on #entity (value #value)", "value": "#value"}');
writeFileSync(join(dir, 'templates', 'broken.json'), '{\n  "text": "#rule_nam"\n}');
writeFileSync(join(dir, 'event.json'), JSON.stringify({ value: 97.5, entity: { tags: { env: 'staging' } } }));
writeFileSync(join(dir, 'bad-event.json'), JSON.stringify({ value: 'high' }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function render(args: Partial<RenderArgs> & { template: string; event: string }) {
  let stdout = '';
  let stderr = '';
  const code = await runRender({ config: dir, ...args }, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const axibaseKeys = readFileSync(new URL('./fixtures/axibase-sample-payload.txt', import.meta.url), 'utf8')
  .split('\n')
  .map((line) => /^ {2}"([^"]+)":/.exec(line)?.[1])
  .filter((key) => key !== undefined);

describe('tocsin render', () => {
  it('`tocsin render flat --event alert.open` prints an object with exactly the keys of the Axibase sample payload', async () => {
    const { code, stdout, stderr } = await render({ template: 'flat', event: 'alert.open' });
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(stdout) as object)).toEqual(axibaseKeys);
    expect(stderr).toBe('Content-Type: application/json; charset=utf-8\n');
  });

  it('prints the exact body on stdout (compact, one line)', async () => {
    const { stdout } = await render({ template: 'chat', event: 'alert.open' });
    expect(stdout).toBe('{"text":"docker-tcp-check is open on db-test-db2 (value 1)","value":1}\n');
  });

  it('--data lays fields over the example event', async () => {
    const { code, stdout } = await render({ template: 'chat', event: 'alert.repeat', data: join(dir, 'event.json') });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ text: 'docker-tcp-check is repeat on db-test-db2 (value 97.5)', value: 97.5 });
  });

  it('--data that does not fit the schema is refused with the field named', async () => {
    const { code, stderr } = await render({ template: 'chat', event: 'alert.open', data: join(dir, 'bad-event.json') });
    expect(code).toBe(1);
    expect(stderr).toContain('data.value must be number,null');
  });

  it('--content-type form', async () => {
    const { code, stdout, stderr } = await render({ template: 'chat', event: 'alert.open', contentType: 'form' });
    expect(code).toBe(0);
    expect(stdout).toBe('text=docker-tcp-check+is+open+on+db-test-db2+%28value+1%29&value=1\n');
    expect(stderr).toBe('Content-Type: application/x-www-form-urlencoded\n');
  });

  it('--pretty indents', async () => {
    const { stdout } = await render({ template: 'chat', event: 'alert.open', pretty: true });
    expect(stdout).toBe('{\n  "text": "docker-tcp-check is open on db-test-db2 (value 1)",\n  "value": 1\n}\n');
  });

  it('a template with a mistake prints its diagnostics and exits 1', async () => {
    const { code, stdout, stderr } = await render({ template: 'broken', event: 'alert.open' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${join(dir, 'templates', 'broken.json')}:2:12 error: unknown variable '#rule_nam' (did you mean '#rule_name'?)`);
  });

  it('a template checked for the given event type only', async () => {
    const { code, stderr } = await render({ template: 'chat', event: 'rule.error' });
    expect(code).toBe(1);
    expect(stderr).toContain("unknown variable '#value'");
  });

  it('a path to a .json file works too', async () => {
    const { code, stdout } = await render({ template: join(dir, 'templates', 'chat.json'), event: 'alert.open', config: join(dir, 'nowhere') });
    expect(code).toBe(0);
    expect(stdout).toContain('docker-tcp-check is open');
  });

  it.each([
    [{ template: 'slak', event: 'alert.open' }, "error: unknown template 'slak' (did you mean 'slack'?)"],
    [{ template: 'flat', event: 'alert.opne' }, "error: unknown event type 'alert.opne' (did you mean 'alert.open'?)"],
    [{ template: 'flat', event: 'alert.open', contentType: 'xml' }, "error: --content-type must be json or form, got 'xml'"],
    [{ template: 'flat', event: 'alert.open', data: '/no/such/file.json' }, 'error: --data /no/such/file.json: no such file'],
  ])('usage errors exit 2: %j', async (args, message) => {
    const { code, stderr } = await render(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('every preset renders every event type', async () => {
    for (const template of ['flat', 'alertmanager', 'slack', 'teams', 'pagerduty', 'events', 'test']) {
      for (const event of ['alert.open', 'alert.cancel', 'rule.error', 'webhook.test']) {
        const { code, stdout } = await render({ template, event });
        expect(code, `${template} ${event}`).toBe(0);
        expect(() => JSON.parse(stdout)).not.toThrow();
      }
    }
  });
});
