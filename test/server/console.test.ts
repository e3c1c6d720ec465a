/**
 * The console's static files: `/` is the page, `/console/*` the assets, with their content types,
 * caching and CSP; nothing outside the build directory can be read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConsoleRoot, resolveAsset, serveConsole } from '../../src/server/console.js';

const dir = mkdtempSync(join(tmpdir(), 'tocsin-console-'));
const root = join(dir, 'console');
let app: FastifyInstance;
let unbuilt: FastifyInstance;

beforeAll(async () => {
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>tocsin</title>');
  writeFileSync(join(root, 'assets', 'index-AbCd1234.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'index-AbCd1234.css'), 'body{}');
  writeFileSync(join(dir, 'secret.txt'), 'outside the build');
  app = Fastify();
  serveConsole({ root })(app);
  await app.ready();
  unbuilt = Fastify();
  serveConsole({ root: join(dir, 'missing') })(unbuilt);
  await unbuilt.ready();
});

afterAll(async () => {
  await app.close();
  await unbuilt.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the built console', () => {
  it.each([
    ['/', 'text/html; charset=utf-8', 'no-cache', '<!doctype html>'],
    ['/console/', 'text/html; charset=utf-8', 'no-cache', '<!doctype html>'],
    ['/console/assets/index-AbCd1234.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable', 'console.log(1)'],
    ['/console/assets/index-AbCd1234.css?v=1', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable', 'body{}'],
  ])('GET %s is %s', async (url, type, cache, start) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(type);
    expect(response.headers['cache-control']).toBe(cache);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.body.startsWith(start)).toBe(true);
  });

  it.each([
    '/console/../secret.txt',
    '/console/%2e%2e/secret.txt',
    '/console/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/console/assets/..%5c..%5csecret.txt',
    '/console/assets/%00index-AbCd1234.js',
    '/console/assets',
    '/console/assets/missing.js',
  ])('GET %s is a 404 and never a file outside the build', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('outside the build');
  });

  it('refuses a malformed path (fastify answers 400 before the handler)', async () => {
    const response = await app.inject({ method: 'GET', url: '/console/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
  });

  it('answers 503 with the build command when the console was not built', async () => {
    const response = await unbuilt.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build');
  });

  it('finds dist/console of the package, or TOCSIN_CONSOLE_DIR', () => {
    expect(defaultConsoleRoot({}).replace(/\\/g, '/')).toMatch(/\/dist\/console\/?$/);
    expect(defaultConsoleRoot({ TOCSIN_CONSOLE_DIR: '/srv/console' })).toBe('/srv/console');
  });
});

describe('resolveAsset keeps requests inside the root', () => {
  it.each([
    ['assets/a.js', join('/r', 'assets', 'a.js')],
    ['a%20b.js', join('/r', 'a b.js')],
    ['../x', null],
    ['assets/../../x', null],
    ['%2e%2e/x', null],
    ['/etc/passwd', null],
    ['%2fetc%2fpasswd', null],
    ['a\\..\\..\\x', null],
    ['a%00.js', null],
    ['', null],
    ['assets//a.js', null],
    ['%zz', null],
  ])('%s → %s', (requested, file) => {
    expect(resolveAsset('/r', requested)).toBe(file);
  });
});
