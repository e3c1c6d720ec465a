/**
 * InfluxDB line protocol, as Telegraf sends it to `POST /api/v1/write` (SPEC §7):
 *
 *   <measurement>[,<tag>=<value>…] <field>=<value>[,<field>=<value>…] [<timestamp>]
 *
 * A single-pass scanner over the body string: lines are found with indexOf, every element is read
 * by index with charCodeAt, and a substring is made only for what a sample keeps (names, tag
 * values, string fields). Escapes are in line-protocol-escapes.ts.
 *
 * Mapping to samples: one sample per field; metric `<measurement>.<field>`, or `<measurement>` for
 * a field named `value`; numbers and booleans (1/0) are the value, a string field gives value null
 * and `text`. Entity = the tag `entity`, else the tag `host`; the tag used is not repeated in the
 * sample tags, but `host` stays a tag when `entity` names the entity (it still says where the
 * number came from). The samples of one line share one tags object: treat samples as immutable.
 */
import type { Sample, Tags } from '../../model/sample.js';
import { ErrorList, type IngestError, type IngestErrorCode, type IngestResult } from './errors.js';
import { resolveLimits, type IngestLimits } from './limits.js';
import {
  defaultTime,
  parseFloatToken,
  parseIntegerToken,
  parseUnsignedToken,
  timestampToMillis,
  type Precision,
} from './line-protocol-numbers.js';
import { escapesInKey, escapesInName, KEY_SPECIAL, NAME_SPECIAL, TAG_VALUE_SPECIAL, unescape, unescapeString } from './line-protocol-escapes.js';
import { BACKSLASH, COMMA, CR, DEL, EQUALS, HASH, QUOTE, SPACE } from './char-codes.js';
import { clip, fittingPrecision, judgeTime, lineTimestampProblem, nameTooLong, tooManyTags } from './sample-limits.js';

export interface LineProtocolOptions {
  /** Unit of the timestamps in the body (`?precision=`); default `ns`. */
  precision?: Precision;
  /** Epoch ms given to lines without a timestamp (the request's arrival time). */
  now: number;
  limits?: Partial<IngestLimits>;
}


/** Sets a tag even when its key is `__proto__` (which plain assignment would swallow). */
function setTag(tags: Tags, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
  else tags[key] = value;
}

// A Map, not an object: a field value such as `constructor` must not find Object.prototype's.
const BOOLEAN_VALUES = new Map<string, number>([
  ['t', 1], ['T', 1], ['true', 1], ['True', 1], ['TRUE', 1],
  ['f', 0], ['F', 0], ['false', 0], ['False', 0], ['FALSE', 0],
]);

const PRECISION_UNITS: Record<Precision, string> = { ns: 'nanoseconds', us: 'microseconds', ms: 'milliseconds', s: 'seconds' };


const FIELD_VALUE_HINT = 'numbers are 1.5 or 1e3, integers 5i, unsigned 5u, booleans true/false, strings "double-quoted"';

/** Parses a whole batch: all its samples, or every bad line and no samples. */
export function parseLineProtocol(body: string, options: LineProtocolOptions): IngestResult {
  return new LineProtocolScanner(body, options).scan();
}

class LineProtocolScanner {
  private readonly text: string;
  private readonly precision: Precision;
  private readonly now: number;
  private readonly limits: IngestLimits;
  private readonly errors: ErrorList;
  private readonly samples: Sample[] = [];

  // Where the scanner is: the current line's number, first character and end (before any CR).
  private line = 0;
  private lineStart = 0;
  private end = 0;
  private pos = 0;

  // The current line's fields, kept in reused arrays until the timestamp is known.
  private readonly fieldKeys: string[] = [];
  private readonly fieldValues: (number | null)[] = [];
  private readonly fieldTexts: (string | undefined)[] = [];
  private fieldCount = 0;
  private measurement = '';

  constructor(text: string, options: LineProtocolOptions) {
    // A UTF-8 byte order mark is not part of the first measurement.
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.precision = options.precision ?? 'ns';
    this.now = options.now;
    this.limits = resolveLimits(options.limits);
    this.errors = new ErrorList(this.limits.maxErrors);
  }

  scan(): IngestResult {
    const text = this.text;
    const length = text.length;
    let points = 0;
    let start = 0;
    while (start < length) {
      this.line++;
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd === -1) lineEnd = length;
      const next = lineEnd + 1;
      if (lineEnd > start && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
      this.lineStart = start;
      this.end = lineEnd;
      this.pos = start;
      start = next;
      this.skipSpaces();
      if (this.pos === lineEnd || text.charCodeAt(this.pos) === HASH) continue;
      if (++points > this.limits.maxBatchLines) {
        this.fail('too-many-lines', undefined, `the batch has more than ${this.limits.maxBatchLines} lines`, 'send smaller batches (Telegraf: lower metric_batch_size)');
        break;
      }
      if (lineEnd - this.lineStart > this.limits.maxLineLength) {
        this.errorAt(this.lineStart + this.limits.maxLineLength, 'line-too-long', undefined,
          `the line is ${lineEnd - this.lineStart} characters long; the limit is ${this.limits.maxLineLength}`, 'split the fields over several lines');
        continue;
      }
      this.scanLine();
    }
    return this.errors.isEmpty ? { ok: true, samples: this.samples } : { ok: false, errors: this.errors.result() };
  }

  /** One data line from `pos`; records samples, or one error (the first problem of the line). */
  private scanLine(): void {
    const text = this.text;
    const measurementStart = this.pos;
    const measurement = this.readElement(NAME_SPECIAL, escapesInName, 'measurement');
    if (measurement === null) return;
    if (measurement === '') {
      this.errorAt(measurementStart, 'syntax', 'measurement', 'the line has no measurement name', 'a line starts with the measurement, e.g. cpu,host=web1 usage=1.5');
      return;
    }
    this.measurement = measurement;
    if (measurement.length > this.limits.maxMetricNameLength) {
      const max = this.limits.maxMetricNameLength;
      const problem = nameTooLong('measurement', measurement, max, 'max_metric_name_length');
      this.tooLong(measurementStart, 'measurement', problem);
      return;
    }

    const tags: Tags = {};
    let entity: string | undefined;
    let host: string | undefined;
    // Where the entity and host values start (for a caret under a name that is too long), and
    // how many tags the line has: all but the one naming the entity become sample tags.
    let entityStart = 0;
    let hostStart = 0;
    let tagCount = 0;
    let tagsStart = -1;
    while (this.pos < this.end && text.charCodeAt(this.pos) === COMMA) {
      this.pos++;
      const keyStart = this.pos;
      if (tagsStart === -1) tagsStart = keyStart;
      const key = this.readElement(KEY_SPECIAL, escapesInKey, 'tag key');
      if (key === null) return;
      if (key === '' || this.pos === this.end || text.charCodeAt(this.pos) !== EQUALS) {
        this.errorAt(keyStart, 'syntax', undefined, key === '' ? 'expected a tag key after the comma' : `expected '=' after tag key '${clip(key)}'`,
          'tags are key=value pairs after the measurement; escape a comma, space or = in a key with a backslash');
        return;
      }
      this.pos++;
      const valueStart = this.pos;
      const value = this.readElement(TAG_VALUE_SPECIAL, escapesInKey, 'tag value');
      if (value === null) return;
      if (value === '') {
        this.errorAt(valueStart, 'syntax', `tags.${key}`, `tag '${clip(key)}' has no value`, 'omit a tag that has no value');
        return;
      }
      const duplicate = key === 'entity' ? entity !== undefined : key === 'host' ? host !== undefined : Object.hasOwn(tags, key);
      if (duplicate) {
        this.errorAt(keyStart, 'duplicate-tag', `tags.${key}`, `tag '${clip(key)}' appears twice`, 'give each tag once per line');
        return;
      }
      if (key.length > this.limits.maxTagKeyLength) {
        const max = this.limits.maxTagKeyLength;
        this.tooLong(keyStart, `tags.${clip(key)}`, nameTooLong('tag key', key, max, 'max_tag_key_length'));
        return;
      }
      tagCount++;
      if (key === 'entity') {
        entity = value;
        entityStart = valueStart;
      } else if (key === 'host') {
        host = value;
        hostStart = valueStart;
      } else {
        if (!this.tagValueFits(key, value, valueStart)) return;
        setTag(tags, key, value);
      }
    }

    if (this.pos === this.end || this.skipSpaces() === this.end) {
      this.errorAt(this.pos, 'syntax', undefined, 'the line has no fields',
        'after the measurement and tags, write a space and at least one field, e.g. cpu,host=web1 usage=1.5');
      return;
    }
    if (!this.readFields()) return;

    let time: number;
    if (this.skipSpaces() === this.end) {
      time = defaultTime(this.now, this.precision);
    } else {
      const timeStart = this.pos;
      while (this.pos < this.end && text.charCodeAt(this.pos) !== SPACE) this.pos++;
      time = timestampToMillis(text, timeStart, this.pos, this.precision);
      if (Number.isNaN(time)) {
        this.errorAt(timeStart, 'bad-timestamp', 'timestamp', `'${clip(text.slice(timeStart, this.pos))}' is not a timestamp`,
          `a timestamp is an integer number of ${PRECISION_UNITS[this.precision]} since 1970 (set ?precision=ns|us|ms|s); fields are separated by commas, not spaces`);
        return;
      }
      if (!Number.isFinite(time)) {
        const raw = text.slice(timeStart, this.pos);
        const fits = fittingPrecision(raw, this.precision, this.now, this.limits);
        const fix = fits === undefined
          ? 'check that ?precision matches the timestamps'
          : `did you mean ?precision=${fits}?`;
        this.errorAt(timeStart, 'out-of-range', 'timestamp',
          `timestamp ${clip(raw)} is out of range for precision '${this.precision}'`,
          `timestamps must fall between the years 1677 and 2262; ${fix}`);
        return;
      }
      const verdict = judgeTime(time, this.now, this.limits);
      if (verdict !== 'ok') {
        const raw = text.slice(timeStart, this.pos);
        const problem = lineTimestampProblem(raw, time, verdict, this.precision, this.now, this.limits);
        this.errorAt(timeStart, problem.code, 'timestamp', problem.message, problem.hint);
        return;
      }
      if (this.skipSpaces() !== this.end) {
        this.errorAt(this.pos, 'syntax', undefined, 'unexpected text after the timestamp', 'the timestamp ends the line');
        return;
      }
    }

    const hostIsEntity = entity === undefined;
    const entityName = entity ?? host;
    if (entityName === undefined) {
      this.errorAt(this.lineStart, 'missing-entity', 'entity', 'the line names no entity',
        "add an 'entity' or 'host' tag; Telegraf adds host unless omit_hostname is set");
      return;
    }
    if (entityName.length > this.limits.maxEntityNameLength) {
      this.tooLong(hostIsEntity ? hostStart : entityStart, hostIsEntity ? 'tags.host' : 'tags.entity',
        nameTooLong('entity name', entityName, this.limits.maxEntityNameLength, 'max_entity_name_length'));
      return;
    }
    if (!hostIsEntity && host !== undefined) {
      if (!this.tagValueFits('host', host, hostStart)) return;
      setTag(tags, 'host', host);
    }
    if (tagCount - 1 > this.limits.maxTagsPerSample) {
      this.tooLong(tagsStart, 'tags', tooManyTags(tagCount - 1, this.limits.maxTagsPerSample), 'too-many-tags');
      return;
    }
    if (this.errors.isEmpty) this.emit(measurement, entityName, tags, time);
  }

  /** The field set, from `pos` to the space before the timestamp or the end of the line. */
  private readFields(): boolean {
    const text = this.text;
    this.fieldCount = 0;
    for (;;) {
      const keyStart = this.pos;
      const key = this.readElement(KEY_SPECIAL, escapesInKey, 'field key');
      if (key === null) return false;
      if (key === '' || this.pos === this.end || text.charCodeAt(this.pos) !== EQUALS) {
        this.errorAt(keyStart, 'syntax', undefined, key === '' ? 'expected a field key' : `expected '=' after field key '${clip(key)}'`,
          'fields are key=value pairs separated by commas (no spaces); escape a comma, space or = in a key with a backslash');
        return false;
      }
      const metricLength = key === 'value' ? this.measurement.length : this.measurement.length + 1 + key.length;
      if (metricLength > this.limits.maxMetricNameLength) {
        const metric = key === 'value' ? this.measurement : `${this.measurement}.${key}`;
        const problem = nameTooLong('metric name', metric, this.limits.maxMetricNameLength, 'max_metric_name_length');
        this.tooLong(keyStart, key, {
          message: `field '${clip(key)}': ${problem.message}`,
          hint: `the metric name is measurement.field: ${problem.hint}`,
        });
        return false;
      }
      if (this.fieldCount === this.limits.maxFieldsPerLine) {
        this.errorAt(keyStart, 'too-many-fields', key, `the line has more than ${this.limits.maxFieldsPerLine} fields`, 'split the fields over several lines');
        return false;
      }
      this.pos++;
      if (!this.readFieldValue(key)) return false;
      if (this.pos === this.end || text.charCodeAt(this.pos) === SPACE) return true;
      if (text.charCodeAt(this.pos) !== COMMA) {
        this.errorAt(this.pos, 'syntax', key, `unexpected '${text.charAt(this.pos)}' after the value of field '${clip(key)}'`,
          'separate fields with commas; double-quote string values');
        return false;
      }
      this.pos++;
      if (this.pos === this.end || text.charCodeAt(this.pos) === SPACE) {
        this.errorAt(this.pos, 'syntax', undefined, 'expected a field after the comma', 'remove the trailing comma');
        return false;
      }
    }
  }

  /** One field value at `pos`, appended to the line's fields; leaves `pos` after it. */
  private readFieldValue(key: string): boolean {
    const text = this.text;
    const start = this.pos;
    if (start === this.end || text.charCodeAt(start) === COMMA || text.charCodeAt(start) === SPACE) {
      this.errorAt(start, 'bad-field-value', key, `field '${clip(key)}' has no value`, FIELD_VALUE_HINT);
      return false;
    }
    if (text.charCodeAt(start) === QUOTE) return this.readStringValue(key);

    let end = start;
    while (end < this.end) {
      const code = text.charCodeAt(end);
      if (code === COMMA || code === SPACE) break;
      if (code < 32 || code === DEL) {
        this.errorAt(end, 'control-character', key, `field '${clip(key)}' contains a control character (code ${code})`, FIELD_VALUE_HINT);
        return false;
      }
      end++;
    }
    this.pos = end;
    const last = text.charCodeAt(end - 1);
    let value: number;
    if (last === 105 /* i */ && end - start > 1) value = parseIntegerToken(text, start, end - 1);
    else if (last === 117 /* u */ && end - start > 1) value = parseUnsignedToken(text, start, end - 1);
    else {
      value = parseFloatToken(text, start, end);
      if (Number.isNaN(value)) {
        const asBoolean = BOOLEAN_VALUES.get(text.slice(start, end));
        if (asBoolean !== undefined) value = asBoolean;
      }
    }
    if (Number.isNaN(value)) {
      this.errorAt(start, 'bad-field-value', key, `field '${clip(key)}' has an unreadable value '${clip(text.slice(start, end))}'`, FIELD_VALUE_HINT);
      return false;
    }
    if (!Number.isFinite(value)) {
      this.errorAt(start, 'out-of-range', key, `the value of field '${clip(key)}' is out of range`,
        last === 105 ? 'integers (i) are 64-bit signed' : last === 117 ? 'unsigned integers (u) are 64-bit' : 'floats must be finite 64-bit numbers');
      return false;
    }
    this.addField(key, value, undefined);
    return true;
  }

  private readStringValue(key: string): boolean {
    const text = this.text;
    const open = this.pos;
    let escaped = false;
    let i = open + 1;
    while (i < this.end) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) break;
      if (code === BACKSLASH) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    if (i >= this.end) {
      this.errorAt(open, 'bad-field-value', key, `the string value of field '${clip(key)}' has no closing quote`,
        'end the string with "; inside it write \\" for a quote, \\\\ for a backslash and \\n for a line break');
      return false;
    }
    const raw = text.slice(open + 1, i);
    this.pos = i + 1;
    this.addField(key, null, escaped ? unescapeString(raw) : raw);
    return true;
  }

  private addField(key: string, value: number | null, fieldText: string | undefined): void {
    const index = this.fieldCount++;
    this.fieldKeys[index] = key;
    this.fieldValues[index] = value;
    this.fieldTexts[index] = fieldText;
  }

  private emit(measurement: string, entity: string, tags: Tags, time: number): void {
    const prefix = `${measurement}.`;
    for (let i = 0; i < this.fieldCount; i++) {
      const key = this.fieldKeys[i]!;
      const metric = key === 'value' ? measurement : prefix + key;
      const fieldText = this.fieldTexts[i];
      const sample: Sample = fieldText === undefined
        ? { metric, entity, tags, time, value: this.fieldValues[i] ?? null }
        : { metric, entity, tags, time, value: null, text: fieldText };
      this.samples.push(sample);
    }
  }

  /**
   * A measurement, tag key, tag value or field key from `pos`, unescaped; stops before the first
   * unescaped special character. Null (after recording the error) on a control character.
   */
  private readElement(special: Uint8Array, escapable: (code: number) => boolean, what: string): string | null {
    const text = this.text;
    const end = this.end;
    const start = this.pos;
    let escaped = false;
    let i = start;
    for (; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128 || special[code] === 0) continue;
      if (code === BACKSLASH) {
        if (i + 1 < end && escapable(text.charCodeAt(i + 1))) {
          escaped = true;
          i++;
        }
        continue;
      }
      if (code < 32 || code === DEL) {
        this.pos = i;
        this.errorAt(i, 'control-character', what === 'measurement' ? 'measurement' : undefined, `the ${what} contains a control character (code ${code})`,
          'remove tabs and other control characters, or escape spaces with a backslash');
        return null;
      }
      break;
    }
    this.pos = i;
    const raw = text.slice(start, i);
    return escaped ? unescape(raw, escapable) : raw;
  }

  /** Moves `pos` past spaces; returns it. */
  private skipSpaces(): number {
    while (this.pos < this.end && this.text.charCodeAt(this.pos) === SPACE) this.pos++;
    return this.pos;
  }

  /** A tag value within max_tag_value_length, or an error under it. */
  private tagValueFits(key: string, value: string, valueStart: number): boolean {
    if (value.length <= this.limits.maxTagValueLength) return true;
    const max = this.limits.maxTagValueLength;
    const problem = nameTooLong(`value of tag '${clip(key)}'`, value, max, 'max_tag_value_length');
    this.tooLong(valueStart, `tags.${clip(key)}`, problem);
    return false;
  }

  private tooLong(
    offset: number, field: string, problem: { message: string; hint: string }, code: IngestErrorCode = 'too-long',
  ): void {
    this.errorAt(offset, code, field, problem.message, problem.hint);
  }

  private errorAt(offset: number, code: IngestErrorCode, field: string | undefined, message: string, hint: string): void {
    this.fail(code, field, message, hint, offset - this.lineStart + 1);
  }

  private fail(code: IngestErrorCode, field: string | undefined, message: string, hint: string, column?: number): void {
    const error: IngestError = { code, line: this.line, message, hint };
    if (column !== undefined) error.column = column;
    if (field !== undefined) error.field = field;
    this.errors.add(error);
  }
}
