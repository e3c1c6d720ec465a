/**
 * `tocsin check [dir]`: load a config directory the way the server would and print every
 * diagnostic of every file, then one summary line. Exit 0 when it would load (warnings allowed),
 * 1 when it has errors, 2 when the directory itself is unusable.
 */
import { formatDiagnostics } from '../../parser/index.js';
import { ConfigDirectoryError, loadRuleDirectory, type LoadOptions, type LoadSummary } from '../../engine/rules/load.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';

/** `options.check` adds the checks of other modules (webhook and template validation). */
export async function runCheck(dir: string, out: Pick<Output, 'stdout' | 'stderr'>, options: LoadOptions = {}): Promise<number> {
  let result;
  try {
    result = loadRuleDirectory(dir, options);
  } catch (error) {
    if (error instanceof ConfigDirectoryError) {
      out.stderr(`error: ${error.message}\n  hint: ${error.hint}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (result.diagnostics.length > 0) out.stderr(`${formatDiagnostics(result.diagnostics)}\n\n`);
  out.stdout(`${summaryLine(dir, result.summary)}\n`);
  return result.summary.errors > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/** `rules/: 3 rules in 2 files, 0 errors` or `rules/: 3 rules in 2 files, 2 errors, 1 warning`. */
export function summaryLine(dir: string, summary: LoadSummary): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const shownDir = dir.endsWith('/') ? dir : `${dir}/`;
  const problems = [count(summary.errors, 'error')];
  if (summary.warnings > 0) problems.push(count(summary.warnings, 'warning'));
  return `${shownDir}: ${count(summary.rules, 'rule')} in ${count(summary.files, 'file')}, ${problems.join(', ')}`;
}
