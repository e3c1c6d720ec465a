import type { RouteSpec } from '../route.js';
import { healthRoutes } from './health.js';
import { ingestRoutes } from './ingest.js';
import { ruleRoutes } from './rules.js';
import { alertRoutes } from './alerts.js';
import { silenceRoutes } from './silences.js';
import { auditRoutes } from './audit.js';

/** The whole API, in the order of the OpenAPI document. */
export function allRoutes(): RouteSpec[] {
  return [...healthRoutes(), ...ingestRoutes(), ...ruleRoutes(), ...alertRoutes(), ...silenceRoutes(), ...auditRoutes()];
}
