import type { RouteSpec } from '../route.js';
import { healthRoutes } from './health.js';
import { ingestRoutes } from './ingest.js';
import { ruleRoutes } from './rules.js';
import { alertRoutes } from './alerts.js';
import { silenceRoutes } from './silences.js';
import { auditRoutes } from './audit.js';
import { meRoutes } from './me.js';
import { webhookRoutes } from './webhooks.js';
import { deliveryRoutes } from './deliveries.js';
import { outboxRoutes } from './outbox.js';
import { templateRoutes } from './templates.js';

/** The whole API, in the order of the OpenAPI document. */
export function allRoutes(): RouteSpec[] {
  return [
    ...healthRoutes(), ...ingestRoutes(), ...ruleRoutes(), ...alertRoutes(), ...silenceRoutes(), ...auditRoutes(),
    ...meRoutes(), ...webhookRoutes(), ...deliveryRoutes(), ...outboxRoutes(), ...templateRoutes(),
  ];
}
