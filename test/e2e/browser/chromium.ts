/**
 * Finding and launching Debian's chromium for the browser tests (playwright-core drives it; no
 * browser download). TOCSIN_CHROMIUM names the executable; otherwise it is looked up on PATH.
 * When TOCSIN_CHROMIUM is set but wrong, that is an error, not a skip: CI must never pass by
 * quietly running nothing.
 */
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** The flags .ci/run documents: headless, no sandbox (CI runs as root), nothing that phones home. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type ChromiumLookup = { path: string } | { path: null; reason: string };

export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const configured = env.TOCSIN_CHROMIUM;
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`TOCSIN_CHROMIUM=${configured} is not an executable file; fix it or unset it to search PATH`);
    return { path: configured };
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return { path: candidate };
    }
  }
  return { path: null, reason: `no chromium found (looked for ${NAMES.join(', ')} on PATH; set TOCSIN_CHROMIUM or run: apt-get install -y chromium)` };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile per run (its own --user-data-dir), a laptop-sized viewport. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tocsin-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1366, height: 768 },
    timeout: 30_000,
  });
  context.setDefaultTimeout(10_000);
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
