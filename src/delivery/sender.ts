/**
 * Sends one request with undici and reports what happened as an AttemptResult; it never throws.
 * One undici Agent per TLS setting (allow_invalid_certs, ca_file), each keeping a keep-alive pool
 * per origin. Every connection goes through the egress guard.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { RESPONSE_BODY_LIMIT, isSuccessStatus, type AttemptResult } from './attempt.js';
import { DeliveryError, describeError } from './errors.js';
import { EgressGuard } from './egress.js';
import { systemClock, type Clock } from './ports.js';
import type { OutgoingRequest } from './request.js';
import type { Webhook } from './webhook.js';

export interface SendMeta {
  messageId: string;
  eventIds: string[];
}

/** The sending edge, as the worker and the test command see it. */
export interface Sender {
  send(webhook: Webhook, request: OutgoingRequest, meta: SendMeta): Promise<AttemptResult>;
}

export interface HttpSenderOptions {
  egress?: EgressGuard;
  clock?: Clock;
  /** How long an idle keep-alive connection is kept (undici's keepAliveTimeout). */
  keepAliveMs?: number;
  readFile?: (path: string) => string;
}

/** After the logged 4 KiB, read (and drop) this much more so the connection can be reused. */
const DRAIN_LIMIT = 64 * 1024;

/**
 * The first RESPONSE_BODY_LIMIT bytes of the body, for the log; the rest is read and dropped (up
 * to DRAIN_LIMIT) so the connection can be reused. Events rather than `for await`: an async
 * iterator costs a promise per chunk, on every one of thousands of deliveries per second.
 */
function readLimited(body: Dispatcher.ResponseData['body']): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let total = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      body.off('data', onData);
      // The status decides the outcome; a body cut short (timeout, reset) only shortens the log.
      if (!body.destroyed) body.destroy();
      resolve({ text: new TextDecoder().decode(Buffer.concat(kept)), truncated: total > keptBytes });
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (keptBytes < RESPONSE_BODY_LIMIT) {
        const part = chunk.subarray(0, RESPONSE_BODY_LIMIT - keptBytes);
        kept.push(part);
        keptBytes += part.length;
      }
      if (total > DRAIN_LIMIT) finish();
    };
    body.on('data', onData);
    body.once('end', finish);
    body.once('error', finish);
    body.once('close', finish);
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export class HttpSender implements Sender {
  readonly #agents = new Map<string, Agent>();
  readonly #egress: EgressGuard;
  readonly #clock: Clock;
  readonly #keepAliveMs: number;
  readonly #readFile: (path: string) => string;

  constructor(options: HttpSenderOptions = {}) {
    this.#egress = options.egress ?? new EgressGuard();
    this.#clock = options.clock ?? systemClock;
    this.#keepAliveMs = options.keepAliveMs ?? 4_000;
    this.#readFile = options.readFile ?? ((path) => readFileSync(path, 'utf8'));
  }

  #agentFor(webhook: Webhook): Agent {
    const key = `${webhook.allow_invalid_certs}\u0000${webhook.ca_file ?? ''}`;
    let agent = this.#agents.get(key);
    if (agent === undefined) {
      let ca: string[] | undefined;
      if (webhook.ca_file !== null) {
        try {
          // Added to the public roots, not replacing them: ca_file widens trust, it does not narrow it.
          ca = [...rootCertificates, this.#readFile(webhook.ca_file)];
        } catch (error) {
          throw new DeliveryError('tls_config', `ca_file ${webhook.ca_file} cannot be read: ${(error as Error).message}`);
        }
      }
      const connector = buildConnector({
        rejectUnauthorized: !webhook.allow_invalid_certs,
        ...(ca === undefined ? {} : { ca }),
        lookup: this.#egress.lookup,
      });
      agent = new Agent({ connect: this.#egress.wrap(connector), keepAliveTimeout: this.#keepAliveMs });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async send(webhook: Webhook, outgoing: OutgoingRequest, meta: SendMeta): Promise<AttemptResult> {
    const time = this.#clock.now();
    const started = performance.now();
    const base = { webhook: webhook.name, url: outgoing.url, messageId: meta.messageId, eventIds: meta.eventIds, time };
    const timeoutMs = webhook.timing.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DeliveryError('timeout', `no complete response within ${webhook.timeout}`)), timeoutMs);
    try {
      const response = await request(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        dispatcher: this.#agentFor(webhook),
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const { text, truncated } = await readLimited(response.body);
      return {
        ...base,
        statusCode: response.statusCode,
        latencyMs: Math.round(performance.now() - started),
        responseHeaders: flattenHeaders(response.headers),
        responseBody: text,
        responseTruncated: truncated,
        error: null,
        ok: isSuccessStatus(response.statusCode),
      };
    } catch (error) {
      return {
        ...base,
        statusCode: null,
        latencyMs: Math.round(performance.now() - started),
        responseHeaders: {},
        responseBody: '',
        responseTruncated: false,
        error: describeError(controller.signal.aborted ? controller.signal.reason : error),
        ok: false,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every pooled connection; waits for requests in flight. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }
}
