/**
 * The demo's config directory: a copy of the example rules (rules/) whose webhooks.yaml is
 * replaced by the same webhooks pointed at the demo's receiver on 127.0.0.1, enabled, and signed
 * with fresh secrets, so the receiver can show that each request's signature is valid.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

/** Three levels up from both src/cli/demo/ and dist/cli/demo/ is the package root. */
export const EXAMPLE_RULES_DIR = fileURLToPath(new URL('../../../rules/', import.meta.url));

export const WEBHOOKS_FILE = 'webhooks.yaml';

/** Schemes the receiver checks; the webhooks take turns, so the demo shows more than one. */
export const DEMO_SIGNATURES = ['hmac-sha256', 'standard-webhooks'] as const;
export type DemoSignature = (typeof DEMO_SIGNATURES)[number];

export interface DemoWebhook {
  name: string;
  /** The receiver path this webhook posts to: /hooks/<name>. */
  path: string;
  template: string;
  signature: DemoSignature;
  secret: string;
}

const isFields = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function secretFor(scheme: DemoSignature, random: (size: number) => Buffer): string {
  // Standard Webhooks keys are base64 with a whsec_ prefix; the HMAC scheme takes any text.
  return scheme === 'standard-webhooks' ? `whsec_${random(24).toString('base64')}` : random(16).toString('hex');
}

/**
 * The example webhooks file rewritten for the demo. Pure apart from `random`; throws when the
 * example declares no webhooks (then the demo would have nothing to show).
 */
export function demoWebhooksFile(exampleText: string, receiverUrl: string, random: (size: number) => Buffer = randomBytes): { text: string; webhooks: DemoWebhook[] } {
  const example: unknown = parse(exampleText);
  const declared = isFields(example) && Array.isArray(example.webhooks) ? example.webhooks.filter(isFields) : [];
  if (declared.length === 0) throw new Error(`the example ${WEBHOOKS_FILE} declares no webhooks`);
  const webhooks: DemoWebhook[] = [];
  const entries = declared.map((original, index) => {
    const name = String(original.name);
    const signature = DEMO_SIGNATURES[index % DEMO_SIGNATURES.length]!;
    const webhook: DemoWebhook = { name, path: `/hooks/${name}`, template: String(original.template ?? 'events'), signature, secret: secretFor(signature, random) };
    webhooks.push(webhook);
    const { url: _url, enabled: _enabled, signature: _signature, ...kept } = original;
    const params = isFields(kept.params) ? kept.params : {};
    return {
      ...kept,
      url: `${receiverUrl}${webhook.path}`,
      signature: { type: signature, secret: webhook.secret },
      // The PagerDuty preset needs a routing key; the demo receiver does not care which.
      ...(webhook.template === 'pagerduty' && params.routing_key === undefined ? { params: { ...params, routing_key: 'demo-routing-key' } } : {}),
    };
  });
  const header = '# Written by `tocsin demo`: the example webhooks, pointed at the demo receiver on 127.0.0.1 and signed.\n';
  return { text: header + stringify({ webhooks: entries }), webhooks };
}

/** Copies the example rules into `dir` and writes the demo's webhooks file there. */
export function prepareConfig(dir: string, receiverUrl: string, examples: string = EXAMPLE_RULES_DIR): DemoWebhook[] {
  cpSync(examples, dir, { recursive: true });
  const { text, webhooks } = demoWebhooksFile(readFileSync(join(dir, WEBHOOKS_FILE), 'utf8'), receiverUrl);
  writeFileSync(join(dir, WEBHOOKS_FILE), text);
  return webhooks;
}
