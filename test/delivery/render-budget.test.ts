/**
 * Issue 14 item 1 at send time: a saved template renders on tags that ingest clients control, so
 * a render that runs out of its budget must become a visible `render_failed` attempt (never a
 * 15 MB request, never a silent drop), with the place in the template where it ran out.
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/delivery/ports.js';
import { renderNotification } from '../../src/delivery/compose.js';
import { DeliveryError } from '../../src/delivery/errors.js';
import { createSecretResolver } from '../../src/delivery/secrets.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import type { TocsinEvent } from '../../src/model/event.js';
import { compileTemplate, createRenderer, presetTemplate, sampleEvent } from '../../src/templates/index.js';
import { CollectingSink, Directory, InMemoryOutbox, makeWebhook, ManualClock, ScriptedSender } from './helpers/fakes.js';

const LOOPS = `{\n  "text": "{{#each @root.tags}}{{#each @root.tags}}{{#each @root.tags}}{{@key}}{{/each}}{{/each}}{{/each}}"\n}`;
const loops = compileTemplate(LOOPS, { name: 'loops', file: 'templates/loops.json' });
const renderer = createRenderer({ get: (name) => (name === 'loops' ? loops : presetTemplate(name)) });

function alertWithTags(n: number): TocsinEvent {
  const event = sampleEvent('alert.open');
  const tags = Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag-${i}`, `value-${i}`]));
  return { ...event, id: `evt-tags-${n}`, data: { ...event.data, tags } } as TocsinEvent;
}

describe('a render out of budget at send time', () => {
  it('is a render_failed error naming the budget and where in the template it ran out', () => {
    const webhook = makeWebhook({ template: 'loops' });
    expect(() => renderNotification(webhook, { event: alertWithTags(60), template: null }, renderer)).toThrow(DeliveryError);
    try {
      renderNotification(webhook, { event: alertWithTags(60), template: null }, renderer);
    } catch (error) {
      expect((error as DeliveryError).code).toBe('render_failed');
      expect((error as DeliveryError).message).toMatch(/10000 \{\{#each\}\} iterations \(at line 2, column 52 of the template\)/);
    }
    // The same template with few tags is sent as usual.
    expect(renderNotification(webhook, { event: alertWithTags(5), template: null }, renderer).body).toContain('tag-4');
  });

  it('becomes a failed notification with a render_failed attempt, and nothing is sent', async () => {
    const clock = new ManualClock();
    const outbox = new InMemoryOutbox();
    const sender = new ScriptedSender(() => ({ statusCode: 200 }), clock);
    const sink = new CollectingSink();
    const log: Logger = { warn: () => {}, error: () => {}, debug: () => {} };
    const worker = new DeliveryWorker({
      outbox, webhooks: new Directory(makeWebhook({ template: 'loops' })), renderer, sender, events: sink, clock, random: () => 1, secrets: createSecretResolver({ env: {} }), log,
    });
    const id = outbox.add(alertWithTags(60), 'hook', { at: clock.now() });
    await worker.runOnce();
    expect(sender.requests).toEqual([]);
    expect(outbox.row(id).status).toBe('failed');
    expect(outbox.logs[0]?.error).toMatch(/^render_failed: template 'loops' failed for alert\.open evt-tags-60: .*budget of 10000 \{\{#each\}\} iterations/);
    expect(sink.events.map((e) => e.type)).toEqual(['delivery.failed']);
  });
});
