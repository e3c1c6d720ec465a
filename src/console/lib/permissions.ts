/**
 * What the signed-in token may do, from the permissions `GET /api/v1/me` returns. The console hides
 * controls the role lacks; the API refuses them anyway (the console is a convenience, not the guard).
 */
export interface Capabilities {
  editWebhooks: boolean;
  editTemplates: boolean;
  testWebhooks: boolean;
  retryDeliveries: boolean;
  acknowledge: boolean;
  silence: boolean;
  checkRules: boolean;
  read: boolean;
}

export function capabilities(permissions: readonly string[]): Capabilities {
  const has = (permission: string) => permissions.includes(permission);
  return {
    editWebhooks: has('webhooks:write'),
    editTemplates: has('templates:write'),
    testWebhooks: has('webhooks:test'),
    retryDeliveries: has('deliveries:retry'),
    acknowledge: has('alerts:ack'),
    silence: has('silences:write'),
    checkRules: has('rules:check'),
    read: has('read'),
  };
}
