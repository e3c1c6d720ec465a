import type { RouteSpec } from '../route.js';
import { healthRoutes } from './health.js';
import { ingestRoutes } from './ingest.js';

/** The whole API, in the order of the OpenAPI document. */
export function allRoutes(): RouteSpec[] {
  return [...healthRoutes(), ...ingestRoutes()];
}
