/** The OpenAPI 3.1 document, generated from the route table so it cannot drift from the routes. */
import { VERSION } from '../model/version.js';
import type { RouteSpec } from './route.js';
import { errorSchema } from './route.js';
import { PERMISSION_INFO, rolesWith } from './access.js';

export function openApiDocument(routes: readonly RouteSpec[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const spec of routes) {
    const path = spec.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: object[] = [];
    const params = spec.schema?.params as { properties?: Record<string, object> } | undefined;
    for (const [name, schema] of Object.entries(params?.properties ?? {})) parameters.push({ name, in: 'path', required: true, schema });
    const query = spec.schema?.querystring as { properties?: Record<string, object>; required?: string[] } | undefined;
    for (const [name, schema] of Object.entries(query?.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema });
    }
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: `${spec.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters,
      responses: {
        ...(spec.schema?.response ? Object.fromEntries(Object.entries(spec.schema.response).map(([status, schema]) => [status, { description: 'OK', content: { 'application/json': { schema } } }])) : { 200: { description: 'OK' } }),
        400: { description: 'Invalid request', content: { 'application/json': { schema: errorSchema } } },
        ...(spec.permission ? { 401: { description: 'No or invalid token' } } : {}),
        ...(spec.permission && spec.permission !== 'authenticated' ? { 403: { description: `Needs permission ${spec.permission}` } } : {}),
      },
    };
    if (spec.permission === 'authenticated') {
      operation.security = [{ bearer: [] }];
      operation.description = 'Any valid token, whatever its role.';
    } else if (spec.permission) {
      operation.security = [{ bearer: [] }];
      operation['x-permission'] = spec.permission;
      operation['x-roles'] = rolesWith(spec.permission);
      operation.description = `${PERMISSION_INFO[spec.permission] ?? ''} Roles: ${rolesWith(spec.permission).join(', ')}.`;
    }
    if (spec.schema?.body) operation.requestBody = { required: true, content: { 'application/json': { schema: spec.schema.body } } };
    else if (spec.rawBody) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: { type: 'array' } }, 'application/x-ndjson': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } },
      };
    }
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'tocsin API', version: VERSION, description: 'Ingestion, alerts, webhooks, templates and rules of a tocsin server.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: tocsin token create --role ROLE --name NAME' } } },
    paths,
  };
}
