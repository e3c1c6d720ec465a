/**
 * Who may do what (SPEC §7), as data: a list of permissions, a role → permissions table, and `can`.
 * Routes are annotated with one permission each, so a route × role matrix can be generated from
 * these tables and tested, and the table below is the single place a decision is made.
 */

/** Every permission a route can require, with what it lets a token do (for docs and 403 messages). */
export const PERMISSION_INFO = {
  'samples:write': 'send samples (POST /api/v1/samples, /api/v1/write)',
  'entities:write': 'register or update entities (PUT /api/v1/entities/:name)',
  read: 'read rules, alerts, history, silences, webhooks (secrets masked), templates and deliveries',
  'rules:check': 'check rule text without changing anything (POST /api/v1/rules/check)',
  'alerts:ack': 'acknowledge alerts',
  'silences:write': 'create, change and delete silences',
  'webhooks:test': 'send the webhook.test event to a webhook',
  'deliveries:retry': 're-queue a failed, discarded or dropped delivery',
  'webhooks:write': 'create, change and delete webhooks',
  'templates:write': 'create, change and delete templates',
  'rules:reload': 'reload the config directory',
  'audit:read': 'read the audit log',
  'tokens:manage': 'create, list and revoke API tokens',
} as const satisfies Record<string, string>;

export type Permission = keyof typeof PERMISSION_INFO;
export const PERMISSIONS: readonly Permission[] = Object.keys(PERMISSION_INFO) as Permission[];

export const ROLES = ['admin', 'operator', 'viewer', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_INFO: Readonly<Record<Role, string>> = {
  admin: 'everything, including webhooks, templates, reloads and tokens',
  operator: 'read, acknowledge alerts, manage silences, test webhooks and retry deliveries',
  viewer: 'read only',
  ingest: 'send samples and entities, nothing else (not even read)',
};

// `rules:check` compiles text the caller sends and changes nothing, so it goes with `read`: a viewer
// writing a rule can validate it before proposing it. `audit:read` stays with admins because the
// log names who changed what, which is an admin's business. `ingest` tokens sit in pipelines and
// collectors, the most exposed place a token lives, so they get no read access at all.
const READ: readonly Permission[] = ['read', 'rules:check'];

/** Admin is every permission by construction, so a new permission can never be forgotten there. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  admin: new Set(PERMISSIONS),
  operator: new Set<Permission>([...READ, 'alerts:ack', 'silences:write', 'webhooks:test', 'deliveries:retry']),
  viewer: new Set<Permission>(READ),
  ingest: new Set<Permission>(['samples:write', 'entities:write']),
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSION_INFO, value);
}

/** Whether `role` grants `permission`; an unknown role (a token written by a newer version) grants nothing. */
export function can(role: string, permission: Permission): boolean {
  return isRole(role) && ROLE_PERMISSIONS[role].has(permission);
}

/** The roles that grant `permission`, most restricted first: what a 403 suggests. */
export function rolesWith(permission: Permission): Role[] {
  return ROLES.filter((role) => ROLE_PERMISSIONS[role].has(permission)).reverse();
}
