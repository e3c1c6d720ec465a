/** SPEC §7: a token learns its own name, role and permissions (the console hides what it cannot do). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLE_PERMISSIONS } from '../../../src/server/access.js';
import { startTestServer, type TestServer } from '../helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('GET /api/v1/me', () => {
  it.each(['admin', 'operator', 'viewer'] as const)('tells a %s token who it is and what it may do', async (role) => {
    const response = await server.call('GET', '/api/v1/me', { token: server.tokens[role] });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ name: `test-${role}`, role, permissions: PERMISSIONS.filter((p) => ROLE_PERMISSIONS[role].has(p)) });
  });

  it('answers 401 without a valid token', async () => {
    expect((await server.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await server.call('GET', '/api/v1/me', { token: 'tcn_not-a-real-token-0000000000000000' })).status).toBe(401);
  });
});
