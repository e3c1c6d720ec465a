/**
 * The web console in a real browser (issue 8): playwright-core drives Debian's chromium against a
 * real tocsin server on 127.0.0.1 and a real webhook receiver. Screenshots of every page go to
 * test/e2e/screenshots/ (git-ignored) for people to look at.
 *
 * Skipped only when no chromium exists (CI installs it, so there these tests run).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, type Browser } from './browser/chromium.js';
import { startConsoleServer, startReceiver, type ConsoleServer, type Receiver } from './browser/console-server.js';

const chromiumLookup = findChromium();
if (chromiumLookup.path === null) console.warn(`console browser tests skipped: ${chromiumLookup.reason}`);

const SCREENSHOTS = join('test', 'e2e', 'screenshots');
const USER = 'tocsin';
const PASSWORD = 'e2e-basic-pass';

const RULES = `rules:
  - name: e2e-disk-full
    description: A disk of an e2e host is almost full.
    metric: e2e.disk.used
    window: length(1)
    condition: value > 90
    severity: critical
    labels: { team: e2e }
    message: '#entity disk at #value %'
`;

const TEMPLATE_WITH_TYPO = '{\n  "type": "#event_typ",\n  "id": "#event_id",\n  "text": "#message"\n}';

let server: ConsoleServer;
let receiver: Receiver;
let browser: Browser;
let page: Page;
/** Uncaught errors and CSP violations in any page: the console must have none. */
const pageProblems: string[] = [];

async function shot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function go(target: Page, hash: string): Promise<void> {
  await target.evaluate((h) => {
    location.hash = h;
  }, hash);
  // Each page render ends by focusing <main>; wait for the loading line to go.
  await target.locator('main .loading').waitFor({ state: 'detached' });
}

async function signIn(target: Page, token: string): Promise<void> {
  await target.goto(`${server.url}/`);
  await target.getByLabel('API token').fill(token);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.getByRole('navigation', { name: 'Main' }).waitFor();
}

function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = probe();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 25);
    };
    poll();
  });
}

describe.skipIf(chromiumLookup.path === null)('the web console in chromium', () => {
  beforeAll(async () => {
    // Fresh each run, so every picture there is of this run.
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    receiver = await startReceiver(USER, PASSWORD);
    server = await startConsoleServer({ 'e2e.yaml': RULES });
    browser = await launchChromium(chromiumLookup.path as string);
    browser.context.on('weberror', (error) => pageProblems.push(`uncaught: ${error.error().message}`));
    browser.context.on('console', (message) => {
      if (/Content.Security.Policy|Refused to/i.test(message.text())) pageProblems.push(`csp: ${message.text()}`);
    });
    page = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  it('signs in with an API token kept in session storage, never in the URL', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('API token').fill('tocsin_not-a-real-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor();
    await shot(page, '01-sign-in');

    await page.getByLabel('API token').fill(server.tokens.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    expect(await page.locator('.role').textContent()).toBe('admin');
    expect(await page.evaluate(() => sessionStorage.getItem('tocsin.console.token'))).toBe(server.tokens.admin);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(page.url()).not.toContain(server.tokens.admin);
  });

  it('edits a template: a typo is marked inline with line and column, completion and preview work', async () => {
    await go(page, '#/new/template');
    await page.getByLabel('Name', { exact: true }).fill('e2e-chat');
    await page.getByLabel('webhook.test').check();
    const editor = page.getByLabel('Body (JSON with #variables)');
    await editor.fill(TEMPLATE_WITH_TYPO);
    // The live preview reports the unknown variable, painted into the text and listed with its position.
    const diagnostic = page.locator('ul.diagnostics .diagnostic').first();
    await diagnostic.waitFor();
    expect(await diagnostic.textContent()).toMatch(/^Line 2, column \d+: .*#event_typ/);
    expect(await page.locator('mark.diagnostic-mark').first().textContent()).toContain('#event_typ');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('status').filter({ hasText: 'Not saved' }).or(page.locator('.notice-error').filter({ hasText: 'Not saved' })).first().waitFor();
    expect(await page.locator('ul.diagnostics').getAttribute('data-origin')).toBe('save');
    await shot(page, '03-template-editor-diagnostic');

    // Fix it with completion: replace the typo by typing '#event_ty' and picking from the list.
    await editor.fill(TEMPLATE_WITH_TYPO.replace('"#event_typ"', '""'));
    await editor.evaluate((el: HTMLTextAreaElement) => {
      const at = el.value.indexOf('""') + 1;
      el.focus();
      el.setSelectionRange(at, at);
    });
    await page.keyboard.type('#event_ty');
    await page.getByRole('option', { name: /#event_type/ }).waitFor();
    await shot(page, '04-template-editor-completion');
    await page.keyboard.press('Enter');
    expect(await editor.inputValue()).toContain('"type": "#event_type"');
    await page.locator('ul.diagnostics li').first().waitFor({ state: 'detached' });
    await page.locator('.preview-body').filter({ hasText: '"type": "alert.open"' }).waitFor();
    await shot(page, '04-template-editor-preview');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Template e2e-chat saved' }).waitFor();
  });

  it('creates a webhook with basic auth and the template; field errors appear next to the fields', async () => {
    await go(page, '#/new/webhook');
    await page.getByLabel('Name', { exact: true }).fill('e2e-receiver');
    await page.getByLabel('Authentication', { exact: true }).selectOption('basic');
    await page.getByLabel('User', { exact: true }).fill(USER);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    // No URL and no password: the API's pointers put each message under its field.
    await page.locator('.error-summary').waitFor();
    const urlField = page.locator('.field', { has: page.getByLabel('URL', { exact: true }) });
    await urlField.locator('.field-error').waitFor();
    expect(await page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await shot(page, '05-webhook-form-errors');

    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hooks/e2e`);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Template', { exact: true }).selectOption('e2e-chat');
    await page.getByLabel('webhook.test').check();
    await shot(page, '05-webhook-form-filled');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('heading', { level: 1, name: /e2e-receiver/ }).waitFor();

    const stored = await server.call('GET', '/api/v1/webhooks/e2e-receiver', server.tokens.admin);
    expect(stored.status).toBe(200);
    expect(JSON.stringify(stored.json)).not.toContain(PASSWORD);
    expect(stored.json).toMatchObject({ auth: { type: 'basic', user: USER }, template: 'e2e-chat' });
  });

  it('Test sends a webhook.test through auth and template and shows the receiver answer', async () => {
    await page.getByRole('button', { name: 'Test' }).click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.textContent()).toContain('HTTP 200');
    expect(await page.getByTestId('test-response-body').textContent()).toContain('"accepted":"webhook.test"');
    const request = receiver.requests.at(-1);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ type: 'webhook.test' });
  });

  it('editing shows the stored password masked, never its value, and saving keeps it', async () => {
    await go(page, '#/webhooks/e2e-receiver/edit');
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('placeholder')).toContain('********');
    expect(await page.content()).not.toContain(PASSWORD);
    await page.getByLabel('Description', { exact: true }).fill('Receiver of the browser tests');
    await shot(page, '06-webhook-edit');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Webhook e2e-receiver saved' }).waitFor();
    await page.getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('test-result').waitFor();
    expect(await page.getByTestId('test-result').textContent()).toContain('HTTP 200');
  });

  it('an alert opened by posting samples shows on the alerts page and in the webhook counters and log', async () => {
    // A second receiver entry with a wrong password: its delivery fails (401), for the retry below.
    const wrong = await server.call('POST', '/api/v1/webhooks', server.tokens.admin, {
      name: 'e2e-wrong-pass', url: `${receiver.url}/hooks/wrong`, template: 'e2e-chat', events: ['alert.open'], auth: { type: 'basic', user: USER, password: 'not-the-password' },
    });
    expect(wrong.status).toBe(201);
    const before = receiver.requests.length;
    const posted = await server.call('POST', '/api/v1/samples', server.tokens.ingest, [{ metric: 'e2e.disk.used', entity: 'db-e2e', time: new Date().toISOString(), value: 97 }]);
    expect(posted.status).toBe(200);
    await waitFor(() => receiver.requests.slice(before).find((r) => r.url === '/hooks/e2e' && r.body.includes('alert.open')), 'the alert.open delivery');

    await go(page, '#/alerts');
    const row = page.locator('tr.alert-row', { hasText: 'e2e-disk-full' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('db-e2e');
    expect(text).toContain('critical');
    expect(text).toContain('97');
    await shot(page, '07-alerts');

    // The receiver has answered; the attempt is logged right after: wait for the store, then look.
    await waitFor(() => server.runtime.store.listDeliveryAttempts({ webhook: 'e2e-receiver' }).find((a) => a.ok && a.outboxId !== null), 'the logged delivery');
    await go(page, '#/webhooks/e2e-receiver');
    expect(Number(await page.getByTestId('successes').textContent())).toBeGreaterThanOrEqual(1);
    const okRows = page.locator('tr.attempt-ok');
    await okRows.first().waitFor();
    expect(await okRows.first().textContent()).toContain('HTTP 200');
    expect(await page.locator('.minute-chart rect.bar-success').count()).toBeGreaterThanOrEqual(1);

    // A day of history for the chart (counters only, straight into the store), so the screenshot
    // shows what a busy webhook looks like: bars across 24 hours, a few failures.
    const now = Date.now();
    // Oldest first, as deliveries happen (the store keeps the last one recorded as the latest).
    for (let minute = 24 * 60 - 5; minute >= 20; minute -= 11) {
      const at = now - minute * 60_000;
      for (let n = 0; n < 1 + ((minute * 7) % 5); n += 1) server.runtime.store.recordOutcome('e2e-receiver', at, true);
      if (minute % 13 === 0) server.runtime.store.recordOutcome('e2e-receiver', at, false);
    }
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.minute-chart rect.bar-failure').first().waitFor();
    expect(await page.locator('.minute-chart rect.bar-success').count()).toBeGreaterThan(100);
    await page.locator('tr.attempt-ok details.response summary').first().click();
    await shot(page, '08-webhook-detail');
  });

  it('a delivery that failed for good is retried from the attempt log', async () => {
    await waitFor(() => server.runtime.store.listOutbox({ webhook: 'e2e-wrong-pass', status: 'failed' })[0], 'the failed delivery');
    await go(page, '#/webhooks/e2e-wrong-pass');
    expect(await page.getByTestId('failures').textContent()).toBe('1');
    const failed = page.locator('tr.attempt-failed');
    expect(await failed.count()).toBe(1);
    expect(await failed.first().textContent()).toContain('HTTP 401');
    expect(await failed.first().textContent()).toContain('bad credentials');
    const before = receiver.requests.length;
    await failed.first().getByRole('button', { name: /Retry/ }).click();
    await page.locator('.notice-success').filter({ hasText: 'queued again' }).waitFor();
    await waitFor(() => receiver.requests.slice(before).find((r) => r.url === '/hooks/wrong'), 'the retried request');
    await waitFor(() => (server.runtime.store.listDeliveryAttempts({ webhook: 'e2e-wrong-pass' }).length === 2 ? true : undefined), 'the second attempt');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('tr.attempt-failed').nth(1).waitFor();
    expect(await page.getByTestId('failures').textContent()).toBe('2');
    expect(await page.locator('.minute-chart rect.bar-failure').count()).toBeGreaterThanOrEqual(1);
    await shot(page, '13-webhook-failed-retry');
  });

  it('lists webhooks with counts and sparklines, and deletes two after confirmation', async () => {
    for (const name of ['old-hook-a', 'old-hook-b']) {
      const created = await server.call('POST', '/api/v1/webhooks', server.tokens.admin, { name, url: `${receiver.url}/hooks/${name}`, enabled: false });
      expect(created.status).toBe(201);
    }
    await go(page, '#/webhooks');
    await page.locator('svg.sparkline').first().waitFor();
    await shot(page, '02-webhooks-list');
    await page.getByLabel('Select old-hook-a').check();
    await page.getByLabel('Select old-hook-b').check();
    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete 2 webhooks?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('old-hook-a');
    await shot(page, '09-delete-confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await server.call('GET', '/api/v1/webhooks/old-hook-a', server.tokens.admin)).status).toBe(200);

    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete 2 webhooks' }).click();
    await page.locator('.notice-success').filter({ hasText: 'Deleted old-hook-a, old-hook-b' }).waitFor();
    expect(await page.getByRole('link', { name: 'old-hook-a' }).count()).toBe(0);
    expect((await server.call('GET', '/api/v1/webhooks/old-hook-a', server.tokens.admin)).status).toBe(404);
    expect((await server.call('GET', '/api/v1/webhooks/old-hook-b', server.tokens.admin)).status).toBe(404);
  });

  it('shows the rules with their expressions and checks rule text', async () => {
    await go(page, '#/rules');
    const row = page.locator('tr', { hasText: 'e2e-disk-full' });
    expect(await row.locator('code.expr').first().textContent()).toBe('value > 90');
    await page.getByText('Check a rule file').click();
    await page.getByLabel('Rule file (YAML)').fill("rules:\n  - name: draft\n    metric: cpu\n    condition: avgg(5) > 1\n");
    await page.getByRole('button', { name: 'Check' }).click();
    const result = page.getByTestId('check-result');
    await result.locator('.notice').waitFor();
    expect(await result.textContent()).toContain("'avgg'");
    await shot(page, '10-rules');
  });

  it('an operator acknowledges the alert and can test, but not edit, webhooks', async () => {
    const operator = await browser.context.newPage();
    await signIn(operator, server.tokens.operator);
    await go(operator, '#/alerts');
    await operator.locator('tr.alert-row', { hasText: 'e2e-disk-full' }).getByRole('button', { name: 'Acknowledge' }).click();
    await operator.getByRole('dialog').getByLabel('Comment (optional)').fill('looking at it');
    await operator.getByRole('dialog').getByRole('button', { name: 'Acknowledge' }).click();
    await operator.locator('tr.alert-row', { hasText: 'e2e-disk-full' }).getByText('acknowledged').waitFor();
    // Silence it: the row's button fills the matchers in; the reason is required.
    await operator.locator('tr.alert-row', { hasText: 'e2e-disk-full' }).getByRole('button', { name: 'Silence…' }).click();
    expect(await operator.getByLabel('Matcher 2 value').inputValue()).toBe('db-e2e');
    await operator.getByLabel('For how long').fill('2h');
    await operator.getByLabel('Why (shown to everyone)').fill('disk replacement scheduled');
    await operator.getByRole('button', { name: 'Create silence' }).click();
    await operator.locator('td', { hasText: 'rule="e2e-disk-full", entity="db-e2e"' }).waitFor();
    await shot(operator, '12-alerts-operator');
    await go(operator, '#/webhooks/e2e-receiver');
    expect(await operator.getByRole('button', { name: 'Test' }).count()).toBe(1);
    expect(await operator.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await operator.close();
  });

  it('a viewer sees no edit controls, and the API refuses the edits anyway', async () => {
    const viewer = await browser.context.newPage();
    await signIn(viewer, server.tokens.viewer);
    expect(await viewer.locator('.role').textContent()).toBe('viewer');
    await go(viewer, '#/webhooks');
    await viewer.getByRole('link', { name: 'e2e-receiver' }).waitFor();
    expect(await viewer.getByRole('link', { name: 'New webhook' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /Delete/ }).count()).toBe(0);
    expect(await viewer.locator('input[type=checkbox]').count()).toBe(0);
    await shot(viewer, '11-viewer-webhooks');

    await go(viewer, '#/webhooks/e2e-receiver');
    expect(await viewer.getByRole('button', { name: 'Test' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: 'Retry' }).count()).toBe(0);

    await go(viewer, '#/templates/e2e-chat');
    expect(await viewer.getByLabel('Body (JSON with #variables)').getAttribute('readonly')).not.toBeNull();
    expect(await viewer.getByRole('button', { name: /Save|Create|Delete/ }).count()).toBe(0);

    // Presets are read-only for everyone, and previewed by name.
    await go(viewer, '#/templates/slack');
    await viewer.getByTestId('preview').locator('.preview-body').waitFor();

    await go(viewer, '#/alerts');
    expect(await viewer.getByRole('button', { name: /Acknowledge|Silence/ }).count()).toBe(0);
    await viewer.close();

    const token = server.tokens.viewer;
    expect((await server.call('POST', '/api/v1/webhooks', token, { name: 'sneaky', url: `${receiver.url}/x` })).status).toBe(403);
    expect((await server.call('PUT', '/api/v1/webhooks/e2e-receiver', token, { name: 'e2e-receiver', url: `${receiver.url}/x` })).status).toBe(403);
    expect((await server.call('DELETE', '/api/v1/webhooks', token, { names: ['e2e-receiver'] })).status).toBe(403);
    expect((await server.call('POST', '/api/v1/templates', token, { name: 'sneaky', text: '{}' })).status).toBe(403);
    expect((await server.call('POST', '/api/v1/webhooks/e2e-receiver/test', token)).status).toBe(403);
    expect((await server.call('GET', '/api/v1/webhooks/e2e-receiver', server.tokens.admin)).status).toBe(200);
  });

  it('ran every page without an uncaught error or a Content-Security-Policy violation', () => {
    expect(pageProblems).toEqual([]);
  });
});
