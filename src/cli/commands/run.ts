/**
 * `tocsin run`: the server with its embedded SQLite store. Configuration by flags or environment
 * (TOCSIN_CONFIG, TOCSIN_DATA, TOCSIN_HOST, TOCSIN_PORT, TOCSIN_LOG_LEVEL, TOCSIN_LIMITS, TOCSIN_MAX_SERIES,
 * TOCSIN_SECRETS_DIR, TOCSIN_SECRETS_ENV_PREFIX). SIGHUP reloads the rules; SIGINT/SIGTERM stop
 * gracefully (in-flight deliveries drained, windows snapshotted).
 */
import { pino, type Logger } from 'pino';
import { formatDiagnostics } from '../../parser/index.js';
import { ConfigDirectoryError } from '../../engine/rules/load.js';
import { ConfigurationError, Runtime } from '../../service/runtime.js';
import { DEFAULT_MAX_SERIES } from '../../engine/engine.js';
import { createApp } from '../../server/app.js';
import { serveConsole } from '../../server/console.js';
import { LOG_REDACT } from '../../server/access.js';
import { parseLimitSettings } from '../../server/limits.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { dataFileProblem } from '../data-file.js';
import { DEFAULT_SECRET_ENV_PREFIX } from '../../delivery/secret-policy.js';
import { secretPolicy } from '../secrets-setting.js';
import type { FastifyInstance } from 'fastify';

export interface RunOptions {
  config?: string;
  data?: string;
  host?: string;
  port?: string;
  secretsDir?: string;
  secretsEnvPrefix?: string;
  /** `NAME=VALUE` settings of schemas/limits.schema.json (after TOCSIN_LIMITS, so they win). */
  limit?: string[];
}

export interface RunningServer {
  app: FastifyInstance;
  runtime: Runtime;
  url: string;
  stop: () => Promise<void>;
}

export function settings(options: RunOptions, env: NodeJS.ProcessEnv = process.env) {
  const port = Number(options.port ?? env.TOCSIN_PORT ?? 8080);
  return {
    configDir: options.config ?? env.TOCSIN_CONFIG ?? 'rules',
    dataFile: options.data ?? env.TOCSIN_DATA ?? 'data/tocsin.db',
    // Loopback by default: nothing is exposed until the operator decides to (--host 0.0.0.0).
    host: options.host ?? env.TOCSIN_HOST ?? '127.0.0.1',
    port,
    // Secret sources webhooks created through the API may name (files under the directory, variables with the prefix).
    secretsDir: options.secretsDir ?? nonEmpty(env.TOCSIN_SECRETS_DIR) ?? null,
    secretsEnvPrefix: options.secretsEnvPrefix ?? env.TOCSIN_SECRETS_ENV_PREFIX ?? DEFAULT_SECRET_ENV_PREFIX,
    limits: parseLimitSettings(options.limit ?? [], env.TOCSIN_LIMITS),
    // The global series cap (SPEC §4); each rule also has its max_series. Checked in startServer.
    maxSeries: Number(env.TOCSIN_MAX_SERIES ?? DEFAULT_MAX_SERIES),
  };
}

const nonEmpty = (text: string | undefined) => (text === undefined || text === '' ? undefined : text);

export function createLogger(level = process.env.TOCSIN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: LOG_REDACT });
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: RunOptions & { log?: Logger; tickIntervalMs?: number; now?: () => number }, out: Output): Promise<RunningServer | number> {
  const config = settings(options);
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    out.stderr(`error: --port must be a number from 0 to 65535, got '${options.port ?? process.env.TOCSIN_PORT}'\n`);
    return EXIT_USAGE;
  }
  if (!config.limits.ok) {
    out.stderr(`error: ${config.limits.error}\n  hint: ${config.limits.hint}\n`);
    return EXIT_USAGE;
  }
  const limits = config.limits.limits;
  if (!Number.isInteger(config.maxSeries) || config.maxSeries < 1) {
    out.stderr(`error: TOCSIN_MAX_SERIES must be a whole number of at least 1, got '${process.env.TOCSIN_MAX_SERIES}'\n`
      + `  hint: unset it for the default (${DEFAULT_MAX_SERIES}) or set e.g. TOCSIN_MAX_SERIES=2000000\n`);
    return EXIT_USAGE;
  }
  const dataProblem = dataFileProblem(config.dataFile);
  const secrets = secretPolicy(config.secretsDir, config.secretsEnvPrefix);
  if (dataProblem !== null || typeof secrets === 'string') {
    out.stderr(`error: ${dataProblem ?? secrets}\n`);
    return EXIT_USAGE;
  }
  const log = options.log ?? createLogger();
  let runtime: Runtime;
  try {
    runtime = Runtime.open({
      configDir: config.configDir,
      dataFile: config.dataFile,
      secrets,
      log,
      maxSeries: config.maxSeries,
      outboxBudgetBytes: limits.outbox_budget,
      ...(options.tickIntervalMs ? { tickIntervalMs: options.tickIntervalMs } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      out.stderr(`${formatDiagnostics(error.diagnostics)}\n\nerror: the configuration in ${config.configDir} has errors; tocsin did not start\n  hint: tocsin check ${config.configDir}\n`);
      return EXIT_FINDINGS;
    }
    if (error instanceof ConfigDirectoryError) {
      out.stderr(`error: ${error.message}\n  hint: ${error.hint}\n`);
      return EXIT_USAGE;
    }
    // What the check above cannot foresee (a damaged file, a lock held elsewhere): still one line.
    if ((error as { code?: unknown }).code === 'ERR_SQLITE_ERROR') {
      const reason = (error as Error).message;
      const fix = 'check the file or pass another --data FILE (env TOCSIN_DATA)';
      out.stderr(`error: cannot open the data file ${config.dataFile}: ${reason}; ${fix}\n`);
      return EXIT_FINDINGS;
    }
    throw error;
  }
  const app = await createApp({ runtime, log, limits, decorate: serveConsole() });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await runtime.stop();
    out.stderr(`error: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n  hint: choose another port with --port or TOCSIN_PORT\n`);
    return EXIT_USAGE;
  }
  runtime.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= (async () => {
    await app.close();
    await runtime.stop();
  })());
  return { app, runtime, url, stop };
}

export async function runServer(options: RunOptions, out: Output): Promise<number> {
  const started = await startServer(options, out);
  if (typeof started === 'number') return started;
  const { runtime, url, stop } = started;
  out.stderr(`tocsin ${url} — rules from ${settings(options).configDir}, store ${settings(options).dataFile}\n`);
  if (runtime.store.listTokens().filter((t) => t.revokedAt === null).length === 0) {
    out.stderr(
      'No API tokens exist yet, so every API call will be refused. Create one (shown once):\n' +
        `  npx tocsin token create --role admin --name admin --data ${settings(options).dataFile}\n`,
    );
  }
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      out.stderr(`\n${signal}: stopping (draining deliveries, saving windows)…\n`);
      stop().then(() => resolve(EXIT_OK), (error: unknown) => {
        out.stderr(`error while stopping: ${(error as Error).message}\n`);
        resolve(EXIT_FINDINGS);
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGHUP', () => {
      const result = runtime.reload('signal:SIGHUP');
      if (result.ok) out.stderr(`reloaded: ${result.config.rules.length} rules\n`);
      else out.stderr(`${formatDiagnostics(result.diagnostics)}\nreload refused: the running configuration stays\n`);
    });
  });
}
