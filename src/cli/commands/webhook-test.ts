/**
 * `tocsin webhook test NAME`: sends a webhook.test event to the named webhook through the real
 * delivery path and prints status, latency and the response (its first 4 KiB). Exit 0 on a 2xx,
 * 1 on any other answer or error, 2 when no webhook has that name.
 */
import type { AttemptResult } from '../../delivery/attempt.js';
import { EgressGuard, type EgressPolicy } from '../../delivery/egress.js';
import type { Clock, MaybePromise, Renderer } from '../../delivery/ports.js';
import type { SecretResolver } from '../../delivery/secrets.js';
import { HttpSender, type Sender } from '../../delivery/sender.js';
import { testWebhook } from '../../delivery/test.js';
import type { Webhook } from '../../delivery/webhook.js';
import { closest } from '../../parser/diagnostics.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';

export interface WebhookTestOptions {
  /** The configured webhooks (from the config directory and the store). */
  loadWebhooks: () => MaybePromise<Webhook[]>;
  renderer: Renderer;
  egress?: EgressPolicy;
  /** Defaults to a fresh HttpSender, closed afterwards. */
  sender?: Sender;
  clock?: Clock;
  secrets?: SecretResolver;
  /** Print the attempt as JSON instead of text. */
  json?: boolean;
}

function describe(result: AttemptResult): string {
  const lines = [`POST ${result.url}  (webhook ${result.webhook}, event ${result.messageId})`];
  if (result.error !== null) {
    lines.push(`failed after ${result.latencyMs} ms: ${result.error.code}: ${result.error.message}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`HTTP ${result.statusCode ?? '?'} in ${result.latencyMs} ms${result.ok ? '' : '  (not a 2xx: the webhook would count this as a failure)'}`);
  for (const [header, value] of Object.entries(result.responseHeaders)) lines.push(`${header}: ${value}`);
  if (result.responseBody !== '') lines.push('', result.responseBody + (result.responseTruncated ? '\n… (response cut at 4 KiB)' : ''));
  return `${lines.join('\n')}\n`;
}

export async function runWebhookTest(name: string, options: WebhookTestOptions, out: Output): Promise<number> {
  let webhooks: Webhook[];
  try {
    webhooks = await options.loadWebhooks();
  } catch (error) {
    out.stderr(`error: cannot load the webhooks: ${(error as Error).message}\n`);
    return EXIT_FINDINGS;
  }
  const webhook = webhooks.find((candidate) => candidate.name === name);
  if (webhook === undefined) {
    const names = webhooks.map((candidate) => candidate.name);
    const guess = closest(name, names);
    const hint = guess !== null ? `did you mean '${guess}'?` : names.length > 0 ? `configured webhooks: ${names.join(', ')}` : 'no webhooks are configured; add a webhooks: section to a file in the config directory';
    out.stderr(`error: no webhook named '${name}'\n  hint: ${hint}\n`);
    return EXIT_USAGE;
  }
  const owned = options.sender === undefined ? new HttpSender({ egress: new EgressGuard(options.egress), ...(options.clock ? { clock: options.clock } : {}) }) : null;
  const sender: Sender | undefined = owned ?? options.sender;
  if (sender === undefined) throw new Error('unreachable: a sender is either given or created');
  try {
    const result = await testWebhook(webhook, {
      renderer: options.renderer,
      sender,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    out.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
    return result.ok ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    await owned?.close();
  }
}
