/**
 * `tocsin replay --rules DIR --input samples.ndjson [--out events.ndjson] [--no-sort] [--sort-limit N]`:
 * back-tests rules on recorded samples in data time, with the same engine code as live mode. Samples
 * reach the engine in time order, sorted in memory when the file is not (replay/time-order.ts).
 * Events go out as NDJSON; a summary table per rule closes the run. The output file is written to a
 * temporary name and renamed at the end, so a failed replay leaves no half file behind.
 *
 * Reading is synchronous and chunked (replay/line-reader.ts), times are read by a fixed-format ISO
 * reader (replay/iso-time.ts) and events are written in batches (replay/event-sink.ts): replay costs
 * little more than parsing the file and running the engine (bench/replay.js measures the ratio).
 */
import { existsSync, statSync } from 'node:fs';
import { formatDiagnostics } from '../../parser/index.js';
import type { Sample } from '../../model/sample.js';
import { formatDuration } from '../../model/duration.js';
import type { AlertEventData, TocsinEvent } from '../../model/event.js';
import { Engine } from '../../engine/engine.js';
import type { RuleDefinition } from '../../engine/rule.js';
import { loadRules } from './load-rules.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { renderTable } from '../table.js';
import { forEachLine } from '../replay/line-reader.js';
import { isBlankLine, parseSampleLine } from '../replay/sample-line.js';
import { OrderError, TimeOrder } from '../replay/time-order.js';
import { formatOrderError } from '../replay/order-hint.js';
import { EventSink } from '../replay/event-sink.js';
import { parseIsoTime } from '../replay/iso-time.js';

export interface ReplayOptions {
  rules: string;
  input: string;
  out?: string;
  /** Sort samples by time in memory when the file is not in time order (default true; `--no-sort`). */
  sort?: boolean;
  /** The most samples held in memory to sort (`--sort-limit`). */
  sortLimit?: number;
}

/**
 * About 170 bytes per held sample with one tag (measured), more with long texts: 5 million take
 * about 1 GB. docs/operations.md, "Limits".
 */
export const DEFAULT_SORT_LIMIT = 5_000_000;

interface RuleSummary {
  events: Map<string, number>;
  opens: number;
  cancels: number;
  longestOpenMs: number;
  openSince: Map<string, number>;
}

const BATCH = 5_000;

export async function runReplay(options: ReplayOptions, out: Output): Promise<number> {
  if (!existsSync(options.input)) {
    out.stderr(`error: --input '${options.input}' does not exist\n  hint: pass an NDJSON file with one sample per line: {"metric":"cpu","entity":"h1","time":"2026-01-01T00:00:00Z","value":42}\n`);
    return EXIT_USAGE;
  }
  const sortLimit = options.sortLimit ?? DEFAULT_SORT_LIMIT;
  if (!Number.isSafeInteger(sortLimit) || sortLimit < 0) {
    out.stderr('error: --sort-limit must be a whole number of samples\n' +
      '  hint: e.g. --sort-limit 10000000 (about 200 bytes of memory per sample with a few tags)\n');
    return EXIT_USAGE;
  }
  const loaded = loadRules(options.rules, out);
  if (loaded === null) return EXIT_USAGE;
  if (!loaded.ruleSet) {
    out.stderr(`${formatDiagnostics(loaded.diagnostics)}\n\nerror: the rules in ${options.rules} have errors; fix them first (tocsin check ${options.rules})\n`);
    return EXIT_FINDINGS;
  }
  const rules = loaded.ruleSet.rules;
  const stat = statSync(options.input);
  const size = stat.size;
  const sort = options.sort ?? true;
  let result: PassResult | null = null;
  try {
    if (sort && options.out !== undefined && stat.isFile()) {
      // Most files are in time order: stream them in flat memory, and only when a line is out of
      // order start over, sorting in memory (the events file is rewritten; standard output could
      // not be, and a pipe cannot be read twice).
      try {
        result = replayPass({ ...options, rules, sort: false, sortLimit, size, optimistic: true }, out);
      } catch (error) {
        if (!(error instanceof OrderError)) throw error;
      }
    }
    result ??= replayPass({ ...options, rules, sort, sortLimit, size, optimistic: false }, out);
  } catch (error) {
    if (error instanceof ReplayInputError) {
      out.stderr(`error: ${error.message}\n  hint: each line must be one sample: {"metric", "entity", "time", "value", "tags"?, "text"?}\n`);
      return EXIT_FINDINGS;
    }
    if (error instanceof ReplayOrderError) {
      out.stderr(formatOrderError(error.order, options.input, sortLimit, error.firstLine));
      return EXIT_FINDINGS;
    }
    throw error;
  }
  const report = options.out ? out.stdout : out.stderr;
  // One line per fact after the table; other parts of replay add theirs here.
  const lines = [`${result.samples} samples replayed${options.out ? `, events written to ${options.out}` : ''}`];
  if (result.sorted > 0) {
    lines.push(`the input was not in time order: ${result.sorted} samples were sorted by time in memory before replay`);
  }
  lines.push(`${result.liveSeries} series live at the end (summed over the rules)`);
  report(`${summaryTable(result.summaries, result.lastTime)}\n${lines.join('\n')}\n`);
  return EXIT_OK;
}

interface PassOptions {
  rules: RuleDefinition[];
  input: string;
  out?: string;
  sort: boolean;
  sortLimit: number;
  size: number;
  /** A first try in file order: an OrderError goes to the caller as is, to start over sorting. */
  optimistic: boolean;
}

interface PassResult {
  samples: number;
  sorted: number;
  lastTime: number;
  liveSeries: number;
  summaries: Map<string, RuleSummary>;
}

/**
 * One replay of the whole file through a fresh engine. Throws ReplayInputError for a bad line and
 * ReplayOrderError for a line it cannot put in order (a bare OrderError when `optimistic`).
 */
function replayPass(options: PassOptions, out: Output): PassResult {
  const engine = new Engine({ clock: { mode: 'data' }, rules: options.rules });
  const summaries = new Map<string, RuleSummary>(options.rules.map((r) => [r.name, newSummary()]));
  const sink = new EventSink(options.out, out.stdout);
  const progress = out.isTTY ? progressBar(out, options.size) : null;
  const record = (events: readonly { event: TocsinEvent }[]) => {
    for (const { event } of events) {
      sink.write(`${JSON.stringify(event)}\n`);
      summarise(summaries, event);
    }
  };
  const order = new TimeOrder({
    sort: options.sort,
    limit: options.sortLimit,
    batchSize: BATCH,
    apply: (batch: Sample[]) => record(engine.ingest(batch).events),
  });
  let samples = 0;
  let firstLine: string | null = null;
  try {
    forEachLine(
      options.input,
      (text, lineNumber) => {
        if (isBlankLine(text)) return;
        const sample = parseSampleLine(text);
        if (typeof sample === 'string') throw new ReplayInputError(`${options.input}:${lineNumber}: ${sample}`);
        firstLine ??= text;
        samples++;
        order.add(sample, lineNumber);
      },
      (bytes) => progress?.(bytes),
    );
    order.finish();
    if (Number.isFinite(order.latest)) record(engine.advance(order.latest).events);
    sink.commit();
    progress?.(options.size, true);
  } catch (error) {
    sink.discard();
    if (progress) out.stderr('\n');
    if (error instanceof OrderError && !options.optimistic) throw new ReplayOrderError(error, firstLine);
    throw error;
  }
  return { samples, sorted: order.sortedCount, lastTime: order.latest, liveSeries: engine.seriesCount(), summaries };
}

/** An OrderError to report, with a line of the file to suggest a sort command from. */
class ReplayOrderError extends Error {
  readonly order: OrderError;
  readonly firstLine: string | null;

  constructor(order: OrderError, firstLine: string | null) {
    super(order.message);
    this.order = order;
    this.firstLine = firstLine;
  }
}

class ReplayInputError extends Error {}

function newSummary(): RuleSummary {
  return { events: new Map(), opens: 0, cancels: 0, longestOpenMs: 0, openSince: new Map() };
}

function summarise(summaries: Map<string, RuleSummary>, event: TocsinEvent): void {
  const data = event.data as Partial<AlertEventData>;
  if (typeof data.rule !== 'string') return;
  const summary = summaries.get(data.rule) ?? newSummary();
  summaries.set(data.rule, summary);
  summary.events.set(event.type, (summary.events.get(event.type) ?? 0) + 1);
  const time = parseIsoTime(event.time) ?? Date.parse(event.time);
  if (event.type === 'alert.open' && data.alert_id) {
    summary.opens++;
    summary.openSince.set(data.alert_id, time);
  } else if (event.type === 'alert.cancel' && data.alert_id) {
    summary.cancels++;
    const since = summary.openSince.get(data.alert_id);
    if (since !== undefined) {
      summary.longestOpenMs = Math.max(summary.longestOpenMs, time - since);
      summary.openSince.delete(data.alert_id);
    }
  }
}

function summaryTable(summaries: Map<string, RuleSummary>, lastTime: number): string {
  const rows = [...summaries].map(([rule, s]) => {
    // Alerts still open at the end count up to the last sample time.
    let longest = s.longestOpenMs;
    for (const since of s.openSince.values()) longest = Math.max(longest, lastTime - since);
    const byType = [...s.events].sort().map(([type, n]) => `${type.replace('alert.', '')} ${n}`).join(', ');
    return [rule, String(s.opens), String(s.cancels), String(s.openSince.size), longest > 0 ? formatDuration(longest) : '-', byType || '-'];
  });
  return renderTable(['rule', 'opens', 'cancels', 'still open', 'longest open', 'events by type'], rows);
}

function progressBar(out: Output, total: number): (done: number, final?: boolean) => void {
  let last = -1;
  return (done, final = false) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const percent = Math.floor(ratio * 100);
    if (percent === last && !final) return;
    last = percent;
    const width = 30;
    const filled = Math.round(ratio * width);
    out.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%${final ? '\n' : ''}`);
  };
}
