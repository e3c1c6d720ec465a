/**
 * `tocsin replay --rules DIR --input samples.ndjson [--out events.ndjson]`: back-tests rules on
 * recorded samples in data time, with the same engine code as live mode. Events go out as NDJSON;
 * a summary table per rule closes the run. The output file is written to a temporary name and
 * renamed at the end, so a failed replay leaves no half file behind.
 */
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatDiagnostics } from '../../parser/index.js';
import { normalizeSample, type Sample } from '../../model/sample.js';
import { formatDuration } from '../../model/duration.js';
import type { AlertEventData, TocsinEvent } from '../../model/event.js';
import { DEFAULT_MAX_SERIES, Engine, type EngineStats } from '../../engine/engine.js';
import { loadRules } from './load-rules.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Output } from '../io.js';
import { renderTable } from '../table.js';

export interface ReplayOptions {
  rules: string;
  input: string;
  out?: string;
}

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
  const loaded = loadRules(options.rules, out);
  if (loaded === null) return EXIT_USAGE;
  if (!loaded.ruleSet) {
    out.stderr(`${formatDiagnostics(loaded.diagnostics)}\n\nerror: the rules in ${options.rules} have errors; fix them first (tocsin check ${options.rules})\n`);
    return EXIT_FINDINGS;
  }
  const maxSeries = Number(process.env.TOCSIN_MAX_SERIES ?? DEFAULT_MAX_SERIES);
  const engine = new Engine({
    clock: { mode: 'data' }, rules: loaded.ruleSet.rules, ...(maxSeries >= 1 ? { maxSeries } : {}),
  });
  const summaries = new Map<string, RuleSummary>(loaded.ruleSet.rules.map((r) => [r.name, newSummary()]));
  const temporary = options.out ? `${options.out}.partial-${process.pid}` : null;
  const sink = temporary ? createWriteStream(temporary) : null;
  const write = (text: string) => (sink ? sink.write(text) : out.stdout(text));

  const size = statSync(options.input).size;
  const progress = out.isTTY ? progressBar(out, size) : null;
  const lines = createInterface({ input: createReadStream(options.input), crlfDelay: Infinity });
  let lineNumber = 0;
  let bytes = 0;
  let samples = 0;
  let lastTime = -Infinity;
  let batch: Sample[] = [];
  const record = (events: readonly { event: TocsinEvent }[]) => {
    for (const { event } of events) {
      write(`${JSON.stringify(event)}\n`);
      summarise(summaries, event);
    }
  };
  try {
    for await (const line of lines) {
      lineNumber++;
      bytes += Buffer.byteLength(line) + 1;
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        throw new ReplayInputError(`${options.input}:${lineNumber}: invalid JSON: ${(error as Error).message}`);
      }
      const result = normalizeSample(parsed);
      if (!result.ok) throw new ReplayInputError(`${options.input}:${lineNumber}: ${result.field ? `field '${result.field}': ` : ''}${result.message}`);
      batch.push(result.sample);
      samples++;
      if (result.sample.time > lastTime) lastTime = result.sample.time;
      if (batch.length >= BATCH) {
        record(engine.ingest(batch).events);
        batch = [];
        progress?.(bytes);
      }
    }
    record(engine.ingest(batch).events);
    if (Number.isFinite(lastTime)) record(engine.advance(lastTime).events);
    progress?.(size, true);
  } catch (error) {
    sink?.destroy();
    if (temporary) rmSync(temporary, { force: true });
    if (error instanceof ReplayInputError) {
      out.stderr(`error: ${error.message}\n  hint: each line must be one sample: {"metric", "entity", "time", "value", "tags"?, "text"?}\n`);
      return EXIT_FINDINGS;
    }
    throw error;
  }
  if (sink && temporary && options.out) {
    await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())));
    renameSync(temporary, options.out);
  }
  const report = options.out ? out.stdout : out.stderr;
  report(`${summaryTable(summaries, lastTime)}\n${samples} samples replayed${options.out ? `, events written to ${options.out}` : ''}\n`
    + seriesRefusedLine(engine.stats));
  return EXIT_OK;
}

class ReplayInputError extends Error {}

/** SPEC §4 caps: samples of new series that max_series or TOCSIN_MAX_SERIES kept out, by rule. */
function seriesRefusedLine(stats: EngineStats): string {
  if (stats.seriesRefused === 0) return '';
  const byRule = Object.entries(stats.seriesRefusedByRule).map(([rule, n]) => `${rule} ${n}`).join(', ');
  return `series refused: ${stats.seriesRefused} samples of new series were not evaluated (${byRule}); `
    + 'raise max_series or TOCSIN_MAX_SERIES, or narrow group_by\n';
}

function newSummary(): RuleSummary {
  return { events: new Map(), opens: 0, cancels: 0, longestOpenMs: 0, openSince: new Map() };
}

function summarise(summaries: Map<string, RuleSummary>, event: TocsinEvent): void {
  const data = event.data as Partial<AlertEventData>;
  if (typeof data.rule !== 'string') return;
  const summary = summaries.get(data.rule) ?? newSummary();
  summaries.set(data.rule, summary);
  summary.events.set(event.type, (summary.events.get(event.type) ?? 0) + 1);
  const time = Date.parse(event.time);
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
