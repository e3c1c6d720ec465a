/**
 * `tocsin demo`: the real server, receiver and feed on 127.0.0.1, squeezed into a few seconds.
 * Checks what a newcomer should see (alerts reaching the receiver, signed) and that the demo leaves
 * nothing behind: its temporary directory, its ports and its signal handlers.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDemoDuration, runDemo } from '../../../src/cli/commands/demo.js';
import type { Received } from '../../../src/cli/demo/narrator.js';

const root = mkdtempSync(join(tmpdir(), 'tocsin-demo-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function capture() {
  const text = { stdout: '', stderr: '' };
  return { text, out: { stdout: (t: string) => void (text.stdout += t), stderr: (t: string) => void (text.stderr += t) } };
}

/** The server URL the demo printed, to check that nothing listens there any more. */
function serverUrl(stdout: string): string {
  const match = /^ {2}tocsin {5}(http:\/\/127\.0\.0\.1:\d+)/m.exec(stdout);
  if (!match) throw new Error(`no server URL in:\n${stdout}`);
  return match[1]!;
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return false;
  } catch {
    return true;
  }
}

describe('tocsin demo', () => {
  it('shows alerts opening and cancelling at the local receiver, then cleans up after itself', async () => {
    const tmpRoot = mkdtempSync(join(root, 'run-'));
    const received: Received[] = [];
    const { text, out } = capture();
    const signalHandlers = process.listenerCount('SIGINT');

    const code = await runDemo({ duration: 4, tmpRoot, onReceived: (r) => received.push(r), signal: new AbortController().signal }, out);

    expect(text.stderr).toBe('');
    expect(code).toBe(0);
    const opsChat = received.filter((r) => r.webhook === 'ops-chat');
    expect(opsChat.map((r) => r.eventType)).toEqual(expect.arrayContaining(['alert.open', 'alert.cancel', 'alert.flapping']));
    // The slack preset's own words, read from the body the receiver got.
    expect(opsChat.some((r) => /container-down opened on web-1/.test(r.request.body))).toBe(true);
    expect(opsChat.some((r) => /container-down cancelled on web-1/.test(r.request.body))).toBe(true);
    // The pager (critical only) got the disk alert as PagerDuty trigger and resolve.
    // Delivery is at least once: like a real receiver, count each webhook-id once.
    const pagerRequests = received.filter((r) => r.webhook === 'pager');
    const pager = pagerRequests
      .filter((r, i) => pagerRequests.findIndex((other) => other.request.headers['webhook-id'] === r.request.headers['webhook-id']) === i)
      .map((r) => JSON.parse(r.request.body) as { event_action: string; payload?: { source: string } });
    expect(pager.map((p) => p.event_action)).toEqual(['trigger', 'resolve']);
    expect(pager[0]!.payload!.source).toBe('db-1');
    expect(received.every((r) => r.signatureValid && r.request.method === 'POST')).toBe(true);

    expect(text.stdout).toMatch(/alert\.open delivered to ops-chat \(HTTP 200, \d+ ms\)/);
    expect(text.stdout).toContain('sending: container web-1 stops');
    expect(text.stdout).toMatch(/What tocsin recorded about the first alert \(GET \/api\/v1\/alerts\/[0-9a-f-]+\)/);
    expect(readdirSync(tmpRoot)).toEqual([]);
    expect(await refused(serverUrl(text.stdout))).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(signalHandlers);
  });

  it('stops early and cleanly on Ctrl-C (SIGINT)', async () => {
    const tmpRoot = mkdtempSync(join(root, 'abort-'));
    const { text, out } = capture();
    const signalHandlers = process.listenerCount('SIGINT');
    // emit() runs the listeners the demo installed, as the signal would, without signalling the process.
    const code = await runDemo({ duration: 10, tmpRoot, onReceived: () => process.emit('SIGINT', 'SIGINT') }, out);
    expect(code).toBe(0);
    expect(process.listenerCount('SIGINT')).toBe(signalHandlers);
    expect(text.stdout).toContain('interrupted: stopping');
    expect(text.stdout).toMatch(/stopped: server and receiver closed, .*tocsin-demo-\w+ removed/);
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it.each([
    ['1', 'too short'],
    ['abc', 'not a duration'],
    ['2h', 'too long'],
  ])('refuses --duration %s (%s) as a usage error', async (duration) => {
    const { text, out } = capture();
    expect(await runDemo({ duration }, out)).toBe(2);
    expect(text.stderr).toContain('--duration must be a number of seconds');
  });

  it('refuses a bad --port as a usage error and removes its directory', async () => {
    const tmpRoot = mkdtempSync(join(root, 'port-'));
    const { text, out } = capture();
    expect(await runDemo({ port: 'eighty', tmpRoot, signal: new AbortController().signal }, out)).toBe(2);
    expect(text.stderr).toContain('--port must be a number');
    expect(readdirSync(tmpRoot)).toEqual([]);
  });
});

describe('parseDemoDuration', () => {
  it.each([
    [undefined, 60],
    ['45', 45],
    [30, 30],
    ['90s', 90],
    ['2m', 120],
    ['2.5', null],
    ['0', null],
    ['-5', null],
  ])('%s → %s', (input, seconds) => expect(parseDemoDuration(input)).toBe(seconds));
});
