import { describe, expect, it } from 'vitest';
import { capabilities } from '../../../src/console/lib/permissions.js';
import { ROLE_PERMISSIONS } from '../../../src/server/access.js';

describe('controls follow the role of the signed-in token', () => {
  const of = (role: keyof typeof ROLE_PERMISSIONS) => capabilities([...ROLE_PERMISSIONS[role]]);

  it('admins see webhook and template editing and everything operators see', () => {
    expect(of('admin')).toEqual({ editWebhooks: true, editTemplates: true, testWebhooks: true, retryDeliveries: true, acknowledge: true, silence: true, checkRules: true, read: true });
  });

  it('operators acknowledge, silence, test and retry but do not edit', () => {
    expect(of('operator')).toEqual({ editWebhooks: false, editTemplates: false, testWebhooks: true, retryDeliveries: true, acknowledge: true, silence: true, checkRules: true, read: true });
  });

  it('viewers only read (and check rule text)', () => {
    expect(of('viewer')).toEqual({ editWebhooks: false, editTemplates: false, testWebhooks: false, retryDeliveries: false, acknowledge: false, silence: false, checkRules: true, read: true });
  });

  it('ingest tokens cannot even read the console pages', () => {
    expect(of('ingest').read).toBe(false);
  });
});
