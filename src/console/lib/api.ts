/**
 * The admin API client (docs: API.md, /api/v1/openapi.json). Every request carries the token in the
 * Authorization header; errors come back as `ApiProblem` with the API's code, message, hint and
 * details (field pointers, template diagnostics), so pages can put them next to the right field.
 */
export interface ErrorBody {
  error?: { code?: string; message?: string; hint?: string; details?: unknown };
}

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string | undefined;
  readonly details: unknown;
  /** The whole parsed response body (some errors carry diagnostics or warnings beside `error`). */
  readonly body: unknown;

  constructor(status: number, body: unknown, fallback: string) {
    const error = (body as ErrorBody | null)?.error;
    super(error?.message ?? fallback);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = error?.code ?? `http_${status}`;
    this.hint = error?.hint;
    this.details = error?.details;
    this.body = body;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export class Api {
  private readonly token: string;
  private readonly onUnauthorized: (problem: ApiProblem) => void;

  constructor(token: string, onUnauthorized: (problem: ApiProblem) => void = () => {}) {
    this.token = token;
    this.onUnauthorized = onUnauthorized;
  }

  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), cache: 'no-store' });
    } catch (error) {
      throw new ApiProblem(0, null, `the server did not answer (${(error as Error).message}); is tocsin running?`);
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) {
      const problem = new ApiProblem(response.status, parsed, `${method} ${path} failed with HTTP ${response.status}`);
      if (response.status === 401) this.onUnauthorized(problem);
      throw problem;
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  delete<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }
}

/** `/api/v1/webhooks/a%2Fb`: names go into paths encoded. */
export function apiPath(...segments: string[]): string {
  return `/api/v1/${segments.map(encodeURIComponent).join('/')}`;
}

/** One line for a status message: the API's message and hint. */
export function describeProblem(error: unknown): string {
  if (error instanceof ApiProblem) return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}
