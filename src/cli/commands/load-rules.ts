import { ConfigDirectoryError, loadRuleDirectory, type LoadResult } from '../../engine/rules/load.js';
import type { Output } from '../io.js';

/** Loads a config directory for a command; null (after printing why) when the directory is unusable. */
export function loadRules(dir: string, out: Pick<Output, 'stderr'>): LoadResult | null {
  try {
    return loadRuleDirectory(dir);
  } catch (error) {
    if (error instanceof ConfigDirectoryError) {
      out.stderr(`error: ${error.message}\n  hint: ${error.hint}\n`);
      return null;
    }
    throw error;
  }
}
