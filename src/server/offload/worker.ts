/**
 * The offload thread (pool.ts): compiles and renders what a caller sends as text — template
 * previews and `POST /api/v1/rules/check` — so a 256 KiB template (over a second to compile) or
 * a render that uses its whole budget never holds the server's event loop. Jobs are pure: they
 * get everything they need in the message and touch no store.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SecretPolicy } from '../../delivery/secret-policy.js';
import type { Diagnostic } from '../../parser/diagnostics.js';
import { checkConfigurationFiles } from '../../service/config.js';
import type { ConfigKind, ConfigObject, ConfigStore } from '../../store/store.js';
import { setRenderLimits, type RenderLimits } from '../../templates/budget.js';
import { ApiError } from '../errors.js';
import { previewText, type PreviewBody } from '../preview.js';

export type OffloadJob =
  | { kind: 'preview'; limits: RenderLimits; body: PreviewBody & { text: string } }
  | {
      kind: 'check';
      limits: RenderLimits;
      files: Array<{ file: string; text: string }>;
      configDir: string;
      stored: Partial<Record<ConfigKind, ConfigObject[]>>;
      /** Where API secrets may come from (plain data, so it crosses to the thread as it is). */
      secrets: SecretPolicy;
    };

export interface CheckOutcome {
  ok: boolean;
  diagnostics: Diagnostic[];
  rules: string[];
}

export type OffloadReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: JobError };

export interface JobError {
  status: number;
  code: string;
  message: string;
  hint?: string;
  details?: unknown;
}

/** The store's API objects as they were when the job was sent; the check only reads them. */
function snapshotStore(stored: Partial<Record<ConfigKind, ConfigObject[]>>): ConfigStore {
  const list = (kind: ConfigKind) => stored[kind] ?? [];
  const readOnly = () => {
    throw new Error('the check job cannot change the store');
  };
  return {
    listConfigObjects: list,
    getConfigObject: (kind, name) => list(kind).find((o) => o.name === name) ?? null,
    putConfigObject: readOnly,
    deleteConfigObjects: readOnly,
  };
}

export function runJob(job: OffloadJob): unknown {
  setRenderLimits(job.limits);
  if (job.kind === 'preview') return previewText(job.body, job.limits);
  const result = checkConfigurationFiles(job.files, job.configDir, snapshotStore(job.stored), {
    secrets: job.secrets,
  });
  const rules = result.ok ? result.config.rules.map((rule) => rule.name) : [];
  const outcome: CheckOutcome = { ok: result.ok, diagnostics: result.diagnostics, rules };
  return outcome;
}

function reply(id: number, job: OffloadJob): OffloadReply {
  try {
    return { id, ok: true, result: runJob(job) };
  } catch (error) {
    if (error instanceof ApiError) {
      const shown: JobError = { status: error.status, code: error.code, message: error.message };
      if (error.hint !== undefined) shown.hint = error.hint;
      if (error.details !== undefined) shown.details = error.details;
      return { id, ok: false, error: shown };
    }
    const message = `the offloaded ${job.kind} failed: ${error instanceof Error ? error.message : String(error)}`;
    return { id, ok: false, error: { status: 500, code: 'internal_error', message } };
  }
}

// Only as the offload thread (pool.ts marks it), not when a test imports runJob.
if (parentPort !== null && (workerData as { tocsinOffload?: boolean } | null)?.tocsinOffload === true) {
  const port = parentPort;
  port.on('message', (message: { id: number; job: OffloadJob }) => port.postMessage(reply(message.id, message.job)));
  port.postMessage({ ready: true });
}
