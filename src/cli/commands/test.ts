/**
 * `tocsin test [dir]`: runs the `tests:` sections of the rule files (like `promtool test rules`).
 * Exit 0 when every test passes, 1 when a test fails or the rules do not load, 2 for a bad directory.
 */
import { formatDiagnostics } from '../../parser/index.js';
import { formatOutcome, runRuleTests } from '../../engine/rule-tests.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { loadRules } from './load-rules.js';

export function runTests(dir: string, out: Pick<Output, 'stdout' | 'stderr'>): number {
  const loaded = loadRules(dir, out);
  if (loaded === null) return EXIT_USAGE;
  if (!loaded.ruleSet) {
    out.stderr(`${formatDiagnostics(loaded.diagnostics)}\n\nerror: the rules in ${dir} have errors; fix them first (tocsin check ${dir})\n`);
    return EXIT_FINDINGS;
  }
  const { rules, tests } = loaded.ruleSet;
  if (tests.length === 0) {
    out.stdout(`${dir}: no tests found (add a tests: section to a rule file; see docs/rules.md)\n`);
    return EXIT_OK;
  }
  const outcomes = runRuleTests(rules, tests);
  let failed = 0;
  for (const outcome of outcomes) {
    if (!outcome.passed) failed++;
    if (outcome.diagnostics.length > 0) {
      out.stdout(`FAIL  ${outcome.location}  ${outcome.name}\n`);
      out.stderr(`${formatDiagnostics(outcome.diagnostics)}\n`);
    } else {
      out.stdout(`${formatOutcome(outcome)}\n`);
    }
  }
  out.stdout(`\n${outcomes.length} test${outcomes.length === 1 ? '' : 's'}: ${outcomes.length - failed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}
