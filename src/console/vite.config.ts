/**
 * Builds the web console into dist/console/ (served by src/server/console.ts). Everything ships in
 * the package: no CDN, no runtime fetches other than the admin API on the same origin.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // The server serves index.html at `/` and the assets under `/console/`.
  base: '/console/',
  publicDir: false,
  logLevel: 'warn',
  // `npx vite --config src/console/vite.config.ts` serves the console with live reload at
  // http://127.0.0.1:5173/console/ and forwards API calls to a running tocsin (TOCSIN_URL).
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // One small bundle; no inline <script> or style, so the server's CSP can forbid inline code.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
