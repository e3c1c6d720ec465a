/** Runs the real delivery path (worker, HttpSender, egress guard) against receivers on 127.0.0.1. */
import { EgressGuard, type EgressPolicy, type Resolver } from '../../../src/delivery/egress.js';
import { createSecretResolver, type SecretSources } from '../../../src/delivery/secrets.js';
import { HttpSender } from '../../../src/delivery/sender.js';
import type { Webhook } from '../../../src/delivery/webhook.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import type { TocsinEvent } from '../../../src/model/event.js';
import { CollectingSink, Directory, FakeRenderer, InMemoryOutbox } from './fakes.js';

export interface E2eOptions {
  egress?: EgressPolicy;
  resolver?: Resolver;
  secrets?: SecretSources;
  /** Fails the test when the notifications are not settled by then. */
  timeoutMs?: number;
}

export interface E2eRun {
  outbox: InMemoryOutbox;
  sink: CollectingSink;
}

export function sender(options: E2eOptions = {}): HttpSender {
  return new HttpSender({ egress: new EgressGuard(options.egress ?? {}, ...(options.resolver ? [options.resolver] : [])) });
}

/** Queues the events for the webhook(s), runs a worker until every one is settled, then stops it. */
export async function deliver(webhooks: Webhook | Webhook[], items: Array<{ event: TocsinEvent; webhook?: string }>, options: E2eOptions = {}, outbox = new InMemoryOutbox()): Promise<E2eRun> {
  const list = Array.isArray(webhooks) ? webhooks : [webhooks];
  const sink = new CollectingSink();
  for (const item of items) outbox.add(item.event, item.webhook ?? list[0]?.name ?? 'hook', { at: Date.now() });
  const http = sender(options);
  const worker = new DeliveryWorker(
    { outbox, webhooks: new Directory(...list), renderer: new FakeRenderer(), sender: http, events: sink, secrets: createSecretResolver(options.secrets ?? { env: {} }) },
    { pollIntervalMs: 5 },
  );
  worker.start();
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  try {
    while (outbox.rows.some((row) => row.status === 'pending' || row.status === 'inflight')) {
      if (Date.now() > deadline) throw new Error(`not settled in time: ${JSON.stringify(outbox.rows.map((row) => [row.status, row.lastError]))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await worker.stop();
    await http.close();
  }
  return { outbox, sink };
}
