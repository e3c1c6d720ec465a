/**
 * The `tocsin` command line. Each command lives in commands/ and returns its exit code:
 * 0 ok, 1 findings or failures, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { runEval } from './commands/eval.js';
import { EXIT_USAGE, processOutput, type Output } from './io.js';
import { VERSION } from './version.js';

export function buildProgram(out: Output, setExit: (code: number) => void): Command {
  const program = new Command('tocsin')
    .description('tocsin: alert rules over metric windows, delivered to webhooks durably')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: out.stdout, writeErr: out.stderr })
    .exitOverride();

  program
    .command('eval')
    .description('evaluate an expression and print the result as JSON')
    .argument('<expression>', "the expression, e.g. \"value > 80 && entity.tags.env == 'prod'\"")
    .option('-c, --context <json|file>', 'the evaluation context as JSON text or a JSON file')
    .option('--timezone <zone>', 'time zone for hour() and dayOfWeek()', 'UTC')
    .option('--explain', 'also print the generated JavaScript on stderr')
    .action((expression: string, options: { context?: string; timezone?: string; explain?: boolean }) => {
      setExit(runEval(expression, options, out));
    });

  return program;
}

export async function main(argv: string[], out: Output = processOutput): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(out, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  return exitCode;
}
