/**
 * What ingestion parsers return: every sample of a batch, or every problem of it (SPEC §7: a batch
 * is validated whole, a bad line gets a 400 naming the line and field, nothing is half-applied).
 *
 * Errors are values with positions, like the expression diagnostics, but addressed the way a
 * pipeline author finds them: a line of the body (line protocol, NDJSON, a JSON syntax error) or an
 * item of a JSON array.
 */
import type { Sample } from '../../model/sample.js';

/** Stable identifiers; clients and tests may rely on them (documented with the ingestion API). */
export type IngestErrorCode =
  | 'syntax'
  | 'missing-entity'
  | 'duplicate-tag'
  | 'bad-field-value'
  | 'out-of-range'
  | 'bad-timestamp'
  | 'control-character'
  | 'invalid-sample'
  | 'json-syntax'
  | 'line-too-long'
  | 'too-many-fields'
  | 'too-many-lines'
  | 'too-many-errors'
  | 'too-long'
  | 'too-many-tags'
  | 'too-old'
  | 'in-future';

export interface IngestError {
  code: IngestErrorCode;
  /** 1-based line of the body; absent for an item of a JSON array (see `index`). */
  line?: number;
  /** 0-based position of the item in a JSON array body. */
  index?: number;
  /** 1-based column (UTF-16 code units) inside the line, when the problem has a place. */
  column?: number;
  /** The part of the sample at fault: 'measurement', 'entity', 'timestamp', a field key, 'tags.<key>', 'value'… */
  field?: string;
  /** JSON bodies: RFC 6901 pointer to the value at fault, in the array (`/3/tags/env`) or the line's object. */
  pointer?: string;
  message: string;
  /** How to fix it. */
  hint?: string;
}

export type IngestResult = { ok: true; samples: Sample[] } | { ok: false; errors: IngestError[] };

/** `line 3, column 14, field 'value': value must be a finite number or null (hint: …)`. */
export function formatIngestError(error: IngestError): string {
  const place: string[] = [];
  if (error.line !== undefined) place.push(`line ${error.line}`);
  if (error.index !== undefined) place.push(`item ${error.index}`);
  if (error.column !== undefined) place.push(`column ${error.column}`);
  if (error.field !== undefined && error.field !== '') place.push(`field '${error.field}'`);
  if (error.pointer) place.push(`at ${error.pointer}`);
  const where = place.length > 0 ? `${place.join(', ')}: ` : '';
  return `${where}${error.message}${error.hint === undefined ? '' : ` (hint: ${error.hint})`}`;
}

/** One readable line per error, in order. */
export function formatIngestErrors(errors: readonly IngestError[]): string {
  return errors.map(formatIngestError).join('\n');
}

/**
 * Collects errors up to a cap, then counts the rest: a body of 100,000 garbage lines must not turn
 * into a 100,000-entry response. The cap is reported as one last error so nothing is silently lost.
 */
export class ErrorList {
  readonly errors: IngestError[] = [];
  private readonly cap: number;
  private hidden = 0;
  private firstHiddenLine: number | undefined;
  private firstHiddenIndex: number | undefined;

  constructor(cap: number) {
    this.cap = Math.max(1, cap);
  }

  get isEmpty(): boolean {
    return this.errors.length === 0;
  }

  add(error: IngestError): void {
    if (this.errors.length < this.cap) {
      this.errors.push(error);
      return;
    }
    if (this.hidden === 0) {
      this.firstHiddenLine = error.line;
      this.firstHiddenIndex = error.index;
    }
    this.hidden++;
  }

  /** The errors to report, with a closing `too-many-errors` entry when some were left out. */
  result(): IngestError[] {
    if (this.hidden === 0) return this.errors;
    const more: IngestError = {
      code: 'too-many-errors',
      message: `${this.hidden} more problem${this.hidden === 1 ? '' : 's'} not listed (only the first ${this.cap} are shown)`,
      hint: 'fix the problems above and send the batch again',
    };
    if (this.firstHiddenLine !== undefined) more.line = this.firstHiddenLine;
    if (this.firstHiddenIndex !== undefined) more.index = this.firstHiddenIndex;
    return [...this.errors, more];
  }
}
