/**
 * The signed-in token. Kept in session storage (gone when the tab closes), never in a URL, a cookie
 * or local storage; the console sends it only as `Authorization: Bearer`.
 */
import { Api, ApiProblem } from './api.js';

const KEY = 'tocsin.console.token';

export interface Me {
  name: string;
  role: string;
  permissions: string[];
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}

/** Asks the API who the token belongs to; throws ApiProblem (401 for a bad token). */
export async function whoAmI(token: string): Promise<Me> {
  const me = await new Api(token).get<Partial<Me>>('/api/v1/me');
  if (typeof me.role !== 'string' || !Array.isArray(me.permissions)) {
    throw new ApiProblem(500, null, 'GET /api/v1/me answered without a role and permissions');
  }
  return { name: String(me.name ?? ''), role: me.role, permissions: me.permissions.map(String) };
}
