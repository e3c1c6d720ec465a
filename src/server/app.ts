/**
 * The HTTP server: fastify with the route table of routes/*, access control from the table's
 * permissions, JSON Schema validation on every route with a body or parameters, one error shape,
 * and the OpenAPI document generated from the same table.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { authenticate, authorize, actorOf, type Principal } from './access.js';
import { ApiError, errorBody, storeUnavailable } from './errors.js';
import { httpServerFactory } from './http-server.js';
import { DEFAULT_LIMITS, type LimitValues } from './limits.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { RouteSpec } from './route.js';
import { openApiDocument } from './openapi.js';
import { parseJsonBody } from './json-body.js';
import { allRoutes } from './routes/index.js';
import type { Runtime } from '../service/runtime.js';

export interface AppOptions {
  runtime: Runtime;
  log: Logger;
  /** Body sizes, ingestion bounds, HTTP timeouts and the connection cap (default: schemas/limits.schema.json). */
  limits?: LimitValues;
  /** Bytes; ingestion bodies may be larger than admin bodies. Override `limits.ingest_body_size` / `body_size`. */
  ingestBodyLimit?: number;
  bodyLimit?: number;
  /** Extra routes (the web console registers its static files). */
  extraRoutes?: RouteSpec[];
  /** Registers non-API handlers (static console files) on the instance. */
  decorate?: (app: FastifyInstance) => Promise<void> | void;
}

export const DEFAULT_BODY_LIMIT = DEFAULT_LIMITS.body_size;
export const DEFAULT_INGEST_BODY_LIMIT = DEFAULT_LIMITS.ingest_body_size;

/**
 * A refusal sent before the body was read: the connection is closed after the answer instead of
 * reading (and discarding) a body we will never use, which a slow or hostile client could make last.
 */
function closeAfter(reply: FastifyReply): FastifyReply {
  return reply.header('connection', 'close');
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = `${error.validationContext ?? 'body'}${first.instancePath ?? ''}`;
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'additionalProperties') return `${where}: unknown field '${String(params.additionalProperty)}'`;
  if (first.keyword === 'required') return `${where}: missing field '${String(params.missingProperty)}'`;
  return `${where} ${first.message ?? 'is invalid'}`;
}

function sendError(reply: FastifyReply, status: number, code: string, message: string, hint?: string, details?: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(errorBody(code, message, hint, details));
}

export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const { runtime } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const ingestBodyLimit = options.ingestBodyLimit ?? limits.ingest_body_size;
  const app: FastifyInstance = Fastify({
    loggerInstance: options.log as unknown as FastifyBaseLogger,
    bodyLimit: options.bodyLimit ?? limits.body_size,
    // Entity and metric names travel in the path (PUT /api/v1/entities/:name), percent-encoded:
    // up to 9 characters per UTF-16 unit (3 UTF-8 bytes, each %XX). fastify's default is 100.
    routerOptions: {
      maxParamLength: Math.max(100, 9 * Math.max(limits.max_entity_name_length, limits.max_metric_name_length)),
    },
    // Our own node server: fastify's defaults leave request and connection timeouts off.
    serverFactory: httpServerFactory(limits),
    // Unknown fields are errors (no silent removal) and nothing is coerced: bad input gets a 400.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false, useDefaults: true } },
  });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) void reply.header(name, value);
      return sendError(reply, error.status, error.code, error.message, error.hint, error.details);
    }
    if (error instanceof StoreUnavailableError) {
      runtime.storeHealth.failed(error, `${request.method} ${request.routeOptions.url ?? request.url}`);
      const mapped = storeUnavailable(error);
      for (const [name, value] of Object.entries(mapped.headers)) void reply.header(name, value);
      return sendError(reply, mapped.status, mapped.code, mapped.message, mapped.hint, mapped.details);
    }
    if (error.validation) return sendError(reply, 400, 'invalid_request', validationMessage(error), 'see /api/v1/openapi.json for the expected shape', error.validation);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const message = 'the request body is larger than this endpoint accepts';
      return sendError(closeAfter(reply), 413, 'body_too_large', message, 'send smaller batches');
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return sendError(reply, 415, 'unsupported_media_type', `content type '${String(request.headers['content-type'])}' is not accepted here`, 'send application/json');
    }
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return sendError(reply, 400, 'invalid_json', `the body is not valid JSON: ${error.message}`, 'check quotes, commas and brackets');
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, error.statusCode, 'bad_request', error.message);
    }
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, 500, 'internal_error', 'the request failed inside tocsin; the error is in the server log');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`, 'the API is described at /api/v1/openapi.json'));

  const routes = [...allRoutes(), ...(options.extraRoutes ?? [])];
  const principals = new WeakMap<FastifyRequest, Principal>();
  const register = (scope: FastifyInstance, spec: RouteSpec) => {
    scope.route({
      method: spec.method,
      url: spec.url,
      ...(spec.rawBody
        ? { bodyLimit: ingestBodyLimit }
        : spec.bodyLimit !== undefined ? { bodyLimit: spec.bodyLimit } : {}),
      schema: {
        ...(spec.schema?.params ? { params: spec.schema.params } : {}),
        ...(spec.schema?.querystring ? { querystring: spec.schema.querystring } : {}),
        ...(spec.schema?.body ? { body: spec.schema.body } : {}),
      },
      // Access is decided from the headers alone, before the body is read or validated: a caller
      // without the right token learns nothing about the body a route expects (401/403 first).
      onRequest: async (request, reply) => {
        if (spec.permission === null) return;
        const authenticated = authenticate(runtime.store, request.headers.authorization, Date.now());
        if (!authenticated.ok) {
          void reply.header('www-authenticate', authenticated.wwwAuthenticate);
          const hint = 'send Authorization: Bearer <token> (tocsin token create --role … --name …)';
          return sendError(closeAfter(reply), 401, authenticated.code, authenticated.error, hint);
        }
        if (spec.permission !== 'authenticated') {
          const allowed = authorize(authenticated.principal, spec.permission);
          if (!allowed.ok) return sendError(closeAfter(reply), 403, allowed.code, allowed.error);
        }
        principals.set(request, authenticated.principal);
      },
      handler: async (request, reply) => {
        // The runtime's clock: the engine, silences and alert times all run on it.
        const now = runtime.engine.now();
        const principal = principals.get(request) ?? null;
        const actor = principal ? actorOf(principal) : 'anonymous';
        const result = await spec.handler(request, reply, { runtime, principal, actor, now, limits });
        if (reply.sent) return reply;
        return result;
      },
    });
  };

  // Ingestion reads its body as text (line protocol, NDJSON, JSON arrays parsed with line numbers).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: ingestBodyLimit },
      (_request, body, done) => done(null, body));
    for (const spec of routes.filter((r) => r.rawBody)) register(scope, spec);
  });
  await app.register(async (scope) => {
    // Positioned refusals of prototype keys instead of fastify's "not valid JSON" (json-body.ts).
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    for (const spec of routes.filter((r) => !r.rawBody)) register(scope, spec);
    scope.get('/api/v1/openapi.json', async () => openApiDocument(routes));
  });
  if (options.decorate) await options.decorate(app);
  return app;
}

/** Every route with its permission, for the route × role matrix test and the docs. */
export function routeTable(): Array<Pick<RouteSpec, 'method' | 'url' | 'permission' | 'summary' | 'tag'>> {
  return allRoutes().map(({ method, url, permission, summary, tag }) => ({ method, url, permission, summary, tag }));
}
