/**
 * Whether `tocsin run` can keep its store at a path, checked before the store is opened, so that a
 * missing or read-only directory is one line naming the path and the fix instead of SQLite's
 * "unable to open database file" with a stack trace (issue 14 item 8).
 *
 * The data file's own directory is created when its parent exists (the default ./data/tocsin.db
 * needs no setup), but never a whole missing path: that is usually a typo or a volume that is not
 * mounted, and creating it would put the store where nobody will look for it.
 */
import { closeSync, mkdirSync, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ELSEWHERE = 'or pass another --data FILE (env TOCSIN_DATA)';
const OTHER_FILE = 'pass another --data FILE (env TOCSIN_DATA)';

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const codeOf = (error: unknown): string => String((error as NodeJS.ErrnoException).code ?? (error as Error).message);

/** The nearest ancestor of `path` that exists (the root always does). */
function existingAncestor(path: string): { path: string; stats: Stats } {
  let current = path;
  for (;;) {
    const stats = statOrNull(current);
    if (stats !== null) return { path: current, stats };
    const parent = dirname(current);
    if (parent === current) return { path: current, stats: statSync(current) };
    current = parent;
  }
}

function notWritable(what: string, error: unknown): string {
  return `the data ${what} is not writable (${codeOf(error)}); tocsin keeps its store and journal files there: `
    + `make it writable for this user (chown or chmod) ${ELSEWHERE}`;
}

/**
 * Null when the store can live at `path` (after creating its directory if only that is missing),
 * otherwise one line saying what is wrong with which path and how to fix it.
 */
export function dataFileProblem(path: string): string | null {
  // In-memory and URI forms are SQLite's business; a database URL is not a path at all.
  if (path === ':memory:' || path.startsWith('file:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return null;
  const file = resolve(path);
  const dir = dirname(file);
  const fileStats = statOrNull(file);
  if (fileStats?.isDirectory()) {
    const inside = join(file, 'tocsin.db');
    return `cannot use ${file} as the data file: it is a directory; pass a file in it, e.g. --data ${inside}`;
  }

  const dirStats = statOrNull(dir);
  if (dirStats === null) {
    const ancestor = existingAncestor(dir);
    if (!ancestor.stats.isDirectory()) {
      return `cannot use ${file} as the data file: ${ancestor.path} is not a directory; ${OTHER_FILE}`;
    }
    if (ancestor.path !== dirname(dir)) {
      return `the data directory ${dir} does not exist; create it (mkdir -p ${dir}) ${ELSEWHERE}`;
    }
    try {
      mkdirSync(dir);
    } catch (error) {
      return `cannot create the data directory ${dir} (${codeOf(error)}); `
        + `create it (mkdir -p ${dir}) with the right owner ${ELSEWHERE}`;
    }
  } else if (!dirStats.isDirectory()) {
    return `cannot use ${file} as the data file: ${dir} is not a directory; ${OTHER_FILE}`;
  }

  // Permission bits do not tell (root, ACLs, read-only mounts): only writing does.
  const probe = join(dir, `.tocsin-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    return notWritable(`directory ${dir}`, error);
  }
  if (fileStats !== null) {
    try {
      closeSync(openSync(file, 'r+'));
    } catch (error) {
      return notWritable(`file ${file}`, error);
    }
  }
  return null;
}
