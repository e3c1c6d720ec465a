/**
 * Who the caller is: the token's name, role and permissions, so the console shows only what the
 * role may do (the API refuses the rest anyway).
 */
import { PERMISSIONS, ROLE_PERMISSIONS } from '../access.js';
import { ApiError } from '../errors.js';
import { route, type RouteSpec } from '../route.js';

export function meRoutes(): RouteSpec[] {
  return [
    route({
      // `read` until the route table can say "any valid token": an ingest token has no business here.
      method: 'GET', url: '/api/v1/me', permission: 'authenticated', tag: 'access',
      summary: "The calling token's name, role and permissions",
      handler: (_request, _reply, { principal }) => {
        if (principal === null) throw new ApiError(401, 'unauthenticated', 'this route needs a token');
        const granted = ROLE_PERMISSIONS[principal.role];
        return { name: principal.name, role: principal.role, permissions: PERMISSIONS.filter((p) => granted.has(p)) };
      },
    }),
  ];
}
