/**
 * Routes are declared as data: method, URL, the permission they need, JSON Schemas and a handler.
 * The same table registers the fastify routes, enforces access and produces the OpenAPI document,
 * so the three cannot drift apart (and the route × role test can enumerate every route).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Permission, Principal } from './access.js';
import type { Runtime } from '../service/runtime.js';
import type { LimitValues } from './limits.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSchemas {
  params?: object;
  querystring?: object;
  body?: object;
  /** Response schemas by status, for the OpenAPI document. */
  response?: Record<number, object>;
}

export interface RouteContext {
  runtime: Runtime;
  /** Null only on public routes. */
  principal: Principal | null;
  /** `token:<name>` of the caller, for audit rows. */
  actor: string;
  now: number;
  /** The server's limits (ingestion bounds are checked by the routes that take samples and entities). */
  limits: LimitValues;
}

export interface RouteSpec {
  method: Method;
  url: string;
  /** null: public (health checks, the OpenAPI document); 'authenticated': any valid token. */
  permission: Permission | 'authenticated' | null;
  summary: string;
  tag: string;
  schema?: RouteSchemas;
  /** Content types the body may have besides JSON (line protocol, NDJSON). */
  rawBody?: boolean;
  handler: (request: FastifyRequest, reply: FastifyReply, context: RouteContext) => Promise<unknown> | unknown;
}

export function route(spec: RouteSpec): RouteSpec {
  return spec;
}

/** Shared schema pieces. */
export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const;

export const namesBody = {
  type: 'object',
  required: ['names'],
  additionalProperties: false,
  properties: { names: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1 } } },
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
} as const;
