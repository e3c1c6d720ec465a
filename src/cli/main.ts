/**
 * The `tocsin` command line. Each command lives in commands/ and returns its exit code:
 * 0 ok, 1 findings or failures, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { runCheck } from './commands/check.js';
import { declarationDiagnostics } from '../service/config.js';
import { runEval } from './commands/eval.js';
import { DEFAULT_SORT_LIMIT, runReplay } from './commands/replay.js';
import { runServer } from './commands/run.js';
import { addDemoCommand } from './commands/demo.js';
import { runRender } from './commands/render.js';
import { runWebhookTest } from './commands/webhook-test.js';
import { existsSync } from 'node:fs';
import { loadConfiguration } from '../service/config.js';
import { SqliteStore } from '../store/sqlite.js';
import { createRenderer, presetTemplate } from '../templates/index.js';
import { formatDiagnostics } from '../parser/index.js';
import { runTests } from './commands/test.js';
import { runTokenCreate, runTokenList, runTokenRevoke } from './commands/token.js';
import { EXIT_USAGE, processOutput, type Output } from './io.js';
import { VERSION } from '../model/version.js';

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

  program
    .command('run')
    .description('run the server with its embedded SQLite store')
    .option('--config <dir>', 'config directory with rules, webhooks, templates (env TOCSIN_CONFIG, default ./rules)')
    .option('--data <file>', 'SQLite store file (env TOCSIN_DATA, default ./data/tocsin.db)')
    .option('--host <host>', 'address to listen on (env TOCSIN_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (env TOCSIN_PORT, default 8080)')
    .option('--limit <name=value>',
      'set a limit, e.g. max_sample_age=30d; repeatable (env TOCSIN_LIMITS, comma-separated; see docs/operations.md)',
      (value: string, previous: string[] = []) => [...previous, value])
    .action(async (options: { config?: string; data?: string; host?: string; port?: string; limit?: string[] }) => {
      setExit(await runServer(options, out));
    });

  program
    .command('check')
    .description('check rule files, webhooks and templates in a config directory; print every problem')
    .argument('[dir]', 'the config directory', process.env.TOCSIN_CONFIG ?? 'rules')
    .action(async (dir: string) => {
      // Webhooks and templates declared in the directory are checked by their own modules too.
      setExit(await runCheck(dir, out, { check: (ruleSet) => declarationDiagnostics(ruleSet, dir) }));
    });

  program
    .command('test')
    .description('run the tests: sections of the rule files')
    .argument('[dir]', 'the config directory', process.env.TOCSIN_CONFIG ?? 'rules')
    .action((dir: string) => {
      setExit(runTests(dir, out));
    });

  program
    .command('replay')
    .description('back-test rules on recorded samples (NDJSON) in data time; events out as NDJSON')
    .requiredOption('--rules <dir>', 'the config directory with the rules')
    .requiredOption('--input <file>', 'samples, one JSON object per line')
    .option('--out <file>', 'write events here (default: standard output)')
    .option('--no-sort', 'apply samples in file order and stop at the first one older than a line before it')
    .option('--sort-limit <samples>', `most samples sorted by time in memory (default ${DEFAULT_SORT_LIMIT})`)
    .action(async (options: { rules: string; input: string; out?: string; sort: boolean; sortLimit?: string }) => {
      const { sortLimit, ...rest } = options;
      const limit = sortLimit === undefined ? undefined : /^\d+$/.test(sortLimit) ? Number(sortLimit) : Number.NaN;
      setExit(await runReplay({ ...rest, ...(limit === undefined ? {} : { sortLimit: limit }) }, out));
    });

  program
    .command('render')
    .description('render a template or preset for a sample event and print the exact body')
    .argument('<template>', 'a template name (config directory), a preset (flat, alertmanager, slack, teams, pagerduty, events, test) or a .json file')
    .requiredOption('--event <type>', 'the event type, e.g. alert.open')
    .option('--data <file>', 'a JSON file: a whole event, or fields of its data')
    .option('--config <dir>', 'config directory (env TOCSIN_CONFIG, default ./rules)')
    .option('--content-type <type>', 'json or form', 'json')
    .option('--pretty', 'indent the JSON (then it is no longer the exact bytes sent)')
    .action(async (template: string, options: { event: string; data?: string; config?: string; contentType?: string; pretty?: boolean }) => {
      setExit(await runRender({ template, ...options }, out));
    });

  const webhook = program.command('webhook').description('webhooks');
  webhook
    .command('test')
    .description('send a webhook.test event to a webhook through the real delivery path')
    .argument('<name>', 'the webhook name')
    .option('--config <dir>', 'config directory (env TOCSIN_CONFIG, default ./rules)')
    .option('--data <file>', 'the SQLite store, for webhooks managed through the API (env TOCSIN_DATA, default ./data/tocsin.db)')
    .option('--json', 'print the attempt as JSON')
    .action(async (name: string, options: { config?: string; data?: string; json?: boolean }) => {
      const dir = options.config ?? process.env.TOCSIN_CONFIG ?? 'rules';
      const dataFile = options.data ?? process.env.TOCSIN_DATA ?? 'data/tocsin.db';
      const store = existsSync(dataFile) ? new SqliteStore(dataFile) : null;
      try {
        const loaded = loadConfiguration(dir, store);
        if (!loaded.ok) {
          out.stderr(`${formatDiagnostics(loaded.diagnostics)}

error: the configuration in ${dir} has errors (tocsin check ${dir})
`);
          setExit(1);
          return;
        }
        const { webhooks, templates } = loaded.config;
        setExit(await runWebhookTest(name, {
          loadWebhooks: () => [...webhooks.values()],
          renderer: createRenderer({ get: (t: string) => templates.get(t) ?? presetTemplate(t) }),
          ...(options.json ? { json: true } : {}),
        }, out));
      } finally {
        store?.close();
      }
    });

  addDemoCommand(program, out, setExit);

  const token = program.command('token').description('API tokens: create, list, revoke');
  token
    .command('create')
    .description('create an API token; it is printed once, alone on the last line of stdout')
    .requiredOption('--role <role>', 'admin, operator, viewer or ingest')
    .requiredOption('--name <name>', 'a name for the token, e.g. ci or grafana')
    .option('--data <file>', 'the SQLite store (default $TOCSIN_DATA or ./data/tocsin.db)')
    .action((options: { role: string; name: string; data?: string }) => {
      setExit(runTokenCreate(options, out));
    });
  token
    .command('list')
    .description('list API tokens (never their values)')
    .option('--data <file>', 'the SQLite store (default $TOCSIN_DATA or ./data/tocsin.db)')
    .option('--json', 'print JSON instead of a table')
    .action((options: { data?: string; json?: boolean }) => {
      setExit(runTokenList(options, out));
    });
  token
    .command('revoke')
    .description('revoke an API token by id or name')
    .argument('<token>', 'the token id (tok_…) or name')
    .option('--data <file>', 'the SQLite store (default $TOCSIN_DATA or ./data/tocsin.db)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (idOrName: string, options: { data?: string; yes?: boolean }) => {
      setExit(await runTokenRevoke({ idOrName, ...options }, out));
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
