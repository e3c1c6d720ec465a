/**
 * Serves the built web console (src/console → dist/console by `vite build`) from the same fastify
 * instance as the API: `GET /` is the page, `/console/*` its assets. Static files only; the console
 * talks to the API with the user's token like any other client, so nothing here touches access.
 *
 * Wire it with `createApp({ runtime, log, decorate: serveConsole() })`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface ConsoleOptions {
  /** Directory with index.html and assets/ (default: dist/console of this package, or TOCSIN_CONSOLE_DIR). */
  root?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything the page needs comes from this origin; no inline script or style, no framing. The
 * console sets element styles through the CSSOM only, which `style-src 'self'` allows.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** dist/console next to this module's package, from src/server (tests) or dist/server (installed). */
export function defaultConsoleRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOCSIN_CONSOLE_DIR) return resolve(env.TOCSIN_CONSOLE_DIR);
  return fileURLToPath(new URL('../../dist/console/', import.meta.url));
}

/**
 * The file under `root` a request path names, or null when it would leave `root` (`..`, encoded
 * slashes and backslashes, NUL) or is not a plain relative path. Pure, so traversal is unit-tested.
 */
export function resolveAsset(root: string, requested: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return null;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\') || decoded.startsWith('/')) return null;
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')) return null;
  const base = resolve(root);
  const file = resolve(base, decoded);
  return file.startsWith(base + sep) ? file : null;
}

function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

async function readIfFile(file: string): Promise<Buffer | null> {
  try {
    if (!(await stat(file)).isFile()) return null;
    return await readFile(file);
  } catch {
    return null;
  }
}

function notBuilt(reply: FastifyReply, root: string): FastifyReply {
  return reply
    .code(503)
    .type('text/plain; charset=utf-8')
    .send(`The tocsin web console is not built (no index.html in ${root}).\nBuild it with: npm run build\nThe API works without it: /api/v1/openapi.json\n`);
}

/** A `decorate` hook for createApp that registers the console's routes. */
export function serveConsole(options: ConsoleOptions = {}): (app: FastifyInstance) => void {
  const root = options.root ?? defaultConsoleRoot();
  return (app) => {
    const sendIndex = async (reply: FastifyReply) => {
      const index = await readIfFile(join(root, 'index.html'));
      if (!index) return notBuilt(reply, root);
      // Not cached: a new build must be picked up at once (the assets it names are content-hashed).
      return reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type(CONTENT_TYPES['.html'] as string).send(index);
    };
    app.get('/', async (_request, reply) => sendIndex(reply));
    app.get('/console', async (_request, reply) => reply.redirect('/', 301));
    app.get('/console/', async (_request, reply) => sendIndex(reply));
    app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
      // The raw path, before fastify's decoding, so an encoded '../' is seen as what it is.
      const raw = (request.raw.url ?? '').split('?')[0]?.replace(/^\/console\//, '') ?? '';
      const file = resolveAsset(root, raw);
      const body = file ? await readIfFile(file) : null;
      if (!file || !body) {
        return reply.code(404).type('application/json; charset=utf-8').send({ error: { code: 'not_found', message: `no console file ${request.url.split('?')[0]}`, hint: 'the console is at /' } });
      }
      const hashed = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(file.split(sep).join('/'));
      return reply
        .headers({ ...SECURITY_HEADERS, 'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' })
        .type(contentType(file))
        .send(body);
    });
  };
}
