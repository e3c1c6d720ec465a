/**
 * Ingestion (SPEC §7): JSON/NDJSON samples, Influx line protocol as Telegraf sends it, entity and
 * metric metadata. A batch is validated whole before anything is applied: one bad line is a 400
 * naming it, and nothing of that batch reaches the engine.
 */
import type { FastifyRequest } from 'fastify';
import { formatIngestErrors, parseLineProtocol, parsePrecision, parseSamplesBody, PRECISIONS, type IngestResult } from '../ingest/index.js';
import { checkTags, nameTooLong } from '../ingest/sample-limits.js';
import { ApiError, storeUnavailable } from '../errors.js';
import { StoreUnavailableError } from '../../store/errors.js';
import { ingestLimitsOf } from '../limits.js';
import { route, type RouteContext, type RouteSpec } from '../route.js';
import type { Sample } from '../../model/sample.js';
import { formatSize } from '../../model/size.js';
import type { OutboxState } from '../../service/backlog-monitor.js';

/** Seconds a refused client waits: deliveries drain a backlog in seconds once its receiver is back. */
export const OUTBOX_FULL_RETRY_AFTER_S = 5;

/** The 503 of a full outbox: what happened, which webhooks hold the outbox, what to do. */
function outboxFull(outbox: OutboxState): ApiError {
  const { usedBytes, budgetBytes, rows } = outbox.budget;
  const holders = outbox.webhooks.filter((w) => w.depth > 0).sort((a, b) => b.bytes - a.bytes);
  const shown = holders.slice(0, 5).map((w) =>
    `${w.webhook} (${w.depth} waiting${w.backlogged ? ', backlogged' : ''})`);
  const more = holders.length > 5 ? ` and ${holders.length - 5} more` : '';
  const first = holders.find((w) => w.backlogged)?.webhook ?? holders[0]?.webhook ?? 'NAME';
  const message =
    `the outbox is full: ${rows} undelivered notifications take ${formatSize(usedBytes)}, ` +
    `the outbox budget is ${formatSize(budgetBytes)}; nothing of this batch was applied. ` +
    `Held by webhook(s) ${shown.join(', ')}${more}.`;
  const hint =
    'send the batch again after Retry-After: samples are accepted as soon as deliveries bring the outbox ' +
    'under its budget. ' +
    `To get there, bring the receiver back (GET /api/v1/webhooks/${first}/deliveries shows its answers), ` +
    'or disable the webhook or make it lossy: true, or raise the outbox_budget limit ' +
    '(--limit outbox_budget=BYTES or TOCSIN_LIMITS)';
  const webhooks = holders.map(({ webhook, depth, bytes, backlogged }) => ({ webhook, depth, bytes, backlogged }));
  return new ApiError(503, 'outbox_full', message, {
    hint,
    headers: { 'retry-after': String(OUTBOX_FULL_RETRY_AFTER_S) },
    details: { outbox: { rows, bytes: usedBytes, budget_bytes: budgetBytes }, webhooks },
  });
}

function bodyText(request: FastifyRequest): string {
  if (typeof request.body === 'string') return request.body;
  if (Buffer.isBuffer(request.body)) return request.body.toString('utf8');
  return '';
}

function accept(result: IngestResult, source: string, context: RouteContext): Sample[] {
  if (!result.ok) {
    context.runtime.metrics.samplesRejected('invalid', 1);
    const shown = result.errors.slice(0, 20);
    throw new ApiError(400, 'invalid_batch', `the batch was rejected, nothing of it was applied:\n${formatIngestErrors(shown)}`, {
      hint: 'fix the lines named here and send the whole batch again',
      details: result.errors,
    });
  }
  // Backpressure before anything is applied, from the outbox as it is now (SPEC §6): only the global
  // budget refuses samples, never one receiver being down; Telegraf and most clients retry on 503.
  if (result.samples.length > 0) {
    const outbox = context.runtime.outboxState();
    if (outbox.budget.full) {
      context.runtime.metrics.samplesRejected('outbox_full', result.samples.length);
      throw outboxFull(outbox);
    }
  }
  try {
    context.runtime.ingest(result.samples, source);
  } catch (error) {
    // The commit failed and the engine undid the batch (SPEC §4): the client may send it again as it is.
    if (error instanceof StoreUnavailableError) {
      throw storeUnavailable(error, `the batch of ${result.samples.length} sample(s)`);
    }
    throw error;
  }
  return result.samples;
}

// Names and tags are bounded by the configurable limits (checkMetadata), not by the schema: the
// body limit bounds what the schema has to look at.
const metadataParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 } },
  additionalProperties: false,
} as const;

const entityBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    label: { type: 'string', maxLength: 500 },
    enabled: { type: 'boolean', default: true },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const metricBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    label: { type: 'string', maxLength: 500 },
    units: { type: 'string', maxLength: 100 },
    description: { type: 'string', maxLength: 4000 },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** The name and tags of an entity or metric, against the same limits as samples; a 400 naming the part. */
function checkMetadata(
  kind: 'entity' | 'metric', name: string, tags: Record<string, string> | undefined, context: RouteContext,
): void {
  const limits = ingestLimitsOf(context.limits);
  const [max, limit] = kind === 'entity'
    ? [limits.maxEntityNameLength, 'max_entity_name_length']
    : [limits.maxMetricNameLength, 'max_metric_name_length'];
  if (name.length > max) {
    const problem = nameTooLong(`${kind} name`, name, max, limit);
    const details = [{ pointer: 'params/name', ...problem }];
    throw new ApiError(400, 'invalid_request', `params/name: ${problem.message}`, { hint: problem.hint, details });
  }
  const found = checkTags(tags ?? {}, limits);
  if (found !== null) {
    const pointer = `/${found.path.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    const details = [{ pointer, message: found.message, hint: found.hint }];
    throw new ApiError(400, 'invalid_request', `body${pointer}: ${found.message}`, { hint: found.hint, details });
  }
}

export function ingestRoutes(): RouteSpec[] {
  return [
    route({
      method: 'POST', url: '/api/v1/samples', permission: 'samples:write', tag: 'ingestion', rawBody: true,
      summary: 'Ingest samples: a JSON array or NDJSON (one sample per line); all or nothing',
      handler: (request, _reply, context) => {
        const options = { limits: ingestLimitsOf(context.limits), now: context.now };
        const contentType = String(request.headers['content-type'] ?? '');
        const samples = accept(parseSamplesBody(bodyText(request), contentType, options), 'json', context);
        return { accepted: samples.length };
      },
    }),
    route({
      method: 'POST', url: '/api/v1/write', permission: 'samples:write', tag: 'ingestion', rawBody: true,
      summary: 'Ingest Influx line protocol (Telegraf outputs.influxdb / outputs.http); metric = measurement.field',
      schema: {
        querystring: {
          type: 'object',
          properties: { precision: { type: 'string' }, db: { type: 'string' }, rp: { type: 'string' }, bucket: { type: 'string' }, org: { type: 'string' } },
        },
      },
      handler: (request, reply, context) => {
        const query = request.query as { precision?: string };
        const precision = query.precision === undefined ? 'ns' : parsePrecision(query.precision);
        if (precision === null) {
          throw new ApiError(400, 'invalid_precision', `precision '${query.precision}' is not one of ${PRECISIONS.join(', ')}`, { hint: 'use ?precision=ns (default), us, ms or s' });
        }
        const options = { precision, now: context.now, limits: ingestLimitsOf(context.limits) };
        accept(parseLineProtocol(bodyText(request), options), 'line-protocol', context);
        // InfluxDB answers 204; Telegraf's influxdb output expects it.
        void reply.code(204);
        return undefined;
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/entities/:name', permission: 'entities:write', tag: 'ingestion',
      summary: 'Register or update an entity (label, enabled, tags)',
      schema: { params: metadataParams, body: entityBody },
      handler: (request, _reply, context) => {
        const { runtime } = context;
        const { name } = request.params as { name: string };
        const body = (request.body ?? {}) as { label?: string; enabled?: boolean; tags?: Record<string, string> };
        checkMetadata('entity', name, body.tags, context);
        const entity = { name, enabled: body.enabled ?? true, tags: body.tags ?? {}, ...(body.label !== undefined ? { label: body.label } : {}) };
        runtime.upsertEntity(entity);
        return entity;
      },
    }),
    route({
      method: 'PUT', url: '/api/v1/metrics/:name', permission: 'entities:write', tag: 'ingestion',
      summary: 'Register or update metric metadata (label, units, description, tags)',
      schema: { params: metadataParams, body: metricBody },
      handler: (request, _reply, context) => {
        const { runtime } = context;
        const { name } = request.params as { name: string };
        checkMetadata('metric', name, (request.body as { tags?: Record<string, string> } | undefined)?.tags, context);
        const metric = { name, ...((request.body ?? {}) as object) };
        runtime.upsertMetric(metric);
        return metric;
      },
    }),
  ];
}
