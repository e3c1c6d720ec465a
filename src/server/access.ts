/**
 * Access (SPEC §7): roles and permissions, API tokens, authentication, and keeping secrets out of
 * logs. One module per concern under ./access/; this file is the surface the server and CLI use.
 */
export {
  PERMISSION_INFO,
  PERMISSIONS,
  ROLE_INFO,
  ROLE_PERMISSIONS,
  ROLES,
  can,
  isPermission,
  isRole,
  rolesWith,
  type Permission,
  type Role,
} from './access/roles.js';
export {
  TOKEN_ID_PREFIX,
  TOKEN_NAME_PATTERN,
  TOKEN_PATTERN,
  TOKEN_PREFIX,
  actorOf,
  createToken,
  findToken,
  generateToken,
  hashToken,
  nameProblem,
  revokeToken,
  roleProblem,
  viewToken,
  type AccessRefusal,
  type CreateTokenRequest,
  type CreateTokenResult,
  type Principal,
  type RandomBytes,
  type RevokeTokenRequest,
  type RevokeTokenResult,
  type TokenView,
} from './access/tokens.js';
export {
  TOUCH_INTERVAL_MS,
  authenticate,
  authorize,
  parseAuthorization,
  shouldTouch,
  type AuthenticateOptions,
  type AuthenticationFailure,
  type AuthenticationResult,
  type AuthorizationResult,
} from './access/authenticate.js';
export { LOG_REDACT, LOG_REDACT_PATHS, redactSecrets, redactText } from './access/redact.js';
