/**
 * What a sample may carry into the engine (SPEC §7 limits): lengths of its metric and entity names,
 * of its tag keys and values, the number of its tags, and a time within `max_sample_age` before and
 * `max_sample_future` after the server's clock. Names and tags become series keys, stored state and
 * webhook bodies, so they are bounded where they enter; a time far in the past is almost always a
 * unit mistake (seconds read as nanoseconds land in 1970), and is refused with the likely fix.
 *
 * Pure functions: the clock is a parameter. The parsers call them and attach the position.
 */
import { formatDuration } from '../../model/duration.js';
import type { Sample } from '../../model/sample.js';
import type { IngestErrorCode } from './errors.js';
import { raiseHint, type IngestLimits } from './limits.js';
import type { Precision } from './line-protocol-numbers.js';

export interface SampleProblem {
  code: IngestErrorCode;
  /** Path inside the sample object: ['tags', 'env'], ['metric'] (a JSON pointer's parts). */
  path: string[];
  message: string;
  hint: string;
}

/** User text quoted in a message, shortened: a 200 KiB name must not become a 200 KiB error. */
export function clip(text: string): string {
  return text.length <= 40 ? text : `${text.slice(0, 37)}…`;
}

export function nameTooLong(what: string, name: string, max: number, limit: string): { message: string; hint: string } {
  return {
    message: `the ${what} '${clip(name)}' is ${name.length} characters long; the limit is ${max} (${limit})`,
    hint: raiseHint(`shorten the ${what}`, limit),
  };
}

export function tooManyTags(count: number, max: number): { message: string; hint: string } {
  return {
    message: `the sample has ${count} tags; the limit is ${max} (max_tags_per_sample)`,
    hint: raiseHint(
      'move what does not tell series apart into entity tags (PUT /api/v1/entities/NAME) or drop it',
      'max_tags_per_sample',
    ),
  };
}

/** Length and count checks of one sample (or entity): the first problem, or null. */
export function checkSampleShape(
  sample: Pick<Sample, 'metric' | 'entity' | 'tags'>, limits: IngestLimits,
): SampleProblem | null {
  if (sample.metric.length > limits.maxMetricNameLength) {
    const problem = nameTooLong('metric name', sample.metric, limits.maxMetricNameLength, 'max_metric_name_length');
    return { code: 'too-long', path: ['metric'], ...problem };
  }
  if (sample.entity.length > limits.maxEntityNameLength) {
    const problem = nameTooLong('entity name', sample.entity, limits.maxEntityNameLength, 'max_entity_name_length');
    return { code: 'too-long', path: ['entity'], ...problem };
  }
  return checkTags(sample.tags, limits);
}

export function checkTags(tags: Readonly<Record<string, string>>, limits: IngestLimits): SampleProblem | null {
  let count = 0;
  for (const key of Object.keys(tags)) {
    count++;
    if (key.length > limits.maxTagKeyLength) {
      const problem = nameTooLong('tag key', key, limits.maxTagKeyLength, 'max_tag_key_length');
      return { code: 'too-long', path: ['tags', key], ...problem };
    }
    const value = tags[key]!;
    if (value.length > limits.maxTagValueLength) {
      const max = limits.maxTagValueLength;
      const problem = nameTooLong(`value of tag '${clip(key)}'`, value, max, 'max_tag_value_length');
      return { code: 'too-long', path: ['tags', key], ...problem };
    }
  }
  if (count > limits.maxTagsPerSample) {
    return { code: 'too-many-tags', path: ['tags'], ...tooManyTags(count, limits.maxTagsPerSample) };
  }
  return null;
}

export type TimeVerdict = 'ok' | 'too-old' | 'in-future';

/** Whether epoch ms `time` lies within the accepted span around `now`. */
export function judgeTime(time: number, now: number, limits: IngestLimits): TimeVerdict {
  if (time < now - limits.maxSampleAgeMs) return 'too-old';
  if (time > now + limits.maxSampleFutureMs) return 'in-future';
  return 'ok';
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms since 1970` : date.toISOString();
}

/** `older than max_sample_age 365d (the server's clock is 2026-12-07T16:00:00.000Z)`. */
function boundText(verdict: Exclude<TimeVerdict, 'ok'>, now: number, limits: IngestLimits): string {
  return verdict === 'too-old'
    ? `older than max_sample_age ${formatDuration(limits.maxSampleAgeMs)} (the server's clock says ${iso(now)})`
    : `more than max_sample_future ${formatDuration(limits.maxSampleFutureMs)} ahead of the server's clock `
      + `(${iso(now)})`;
}

const UNIT_NAMES: Record<Precision, string> = {
  ns: 'nanoseconds', us: 'microseconds', ms: 'milliseconds', s: 'seconds',
};
/** Epoch ms per unit of each precision. */
const UNIT_MS: Record<Precision, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 };
const PRECISION_ORDER: readonly Precision[] = ['s', 'ms', 'us', 'ns'];
const CHECK_PRECISION = "check the sender's clock and the ?precision of the timestamps (ns|us|ms|s)";

/** Another precision that would put the timestamp `raw` inside the accepted span, if one does. */
export function fittingPrecision(
  raw: string, precision: Precision, now: number, limits: IngestLimits,
): Precision | undefined {
  const number = Number(raw);
  return PRECISION_ORDER.find(
    (other) => other !== precision && judgeTime(number * UNIT_MS[other], now, limits) === 'ok',
  );
}

/**
 * A line-protocol timestamp outside the span: says how it was read and, when another precision
 * would put it inside, names that one (`did you mean ?precision=s?`).
 */
export function lineTimestampProblem(
  raw: string, time: number, verdict: Exclude<TimeVerdict, 'ok'>, precision: Precision, now: number,
  limits: IngestLimits,
): { code: IngestErrorCode; message: string; hint: string } {
  const fits = fittingPrecision(raw, precision, now, limits);
  const read = `timestamp ${clip(raw)} read as ${UNIT_NAMES[precision]} is ${iso(time)}`;
  const message = `${read}, ${boundText(verdict, now, limits)}`;
  const hint = fits !== undefined
    ? `did you mean ?precision=${fits}? The timestamps look like ${UNIT_NAMES[fits]}; the default precision is ns`
    : verdict === 'too-old'
      ? raiseHint(`${CHECK_PRECISION}, or leave the timestamp out to use the arrival time`, 'max_sample_age')
      : raiseHint(CHECK_PRECISION, 'max_sample_future');
  return { code: verdict === 'too-old' ? 'too-old' : 'in-future', message, hint };
}

/** A JSON sample time outside the span; epoch numbers get a guess at the unit they were sent in. */
export function jsonTimeProblem(
  raw: unknown, time: number, verdict: Exclude<TimeVerdict, 'ok'>, now: number, limits: IngestLimits,
): SampleProblem {
  const shown = typeof raw === 'number' ? `${raw} (epoch milliseconds)` : `'${clip(String(raw))}'`;
  let hint: string | undefined;
  if (typeof raw === 'number') {
    const unit = (name: string, fix: string) =>
      `the number looks like epoch ${name}: time is epoch milliseconds (${fix}) or an ISO 8601 string`;
    if (judgeTime(raw * 1000, now, limits) === 'ok') hint = unit('seconds', 'multiply by 1000');
    else if (judgeTime(raw / 1000, now, limits) === 'ok') hint = unit('microseconds', 'divide by 1000');
  }
  hint ??= verdict === 'too-old'
    ? raiseHint("check the sender's clock", 'max_sample_age')
    : raiseHint("check the sender's clock", 'max_sample_future');
  return {
    code: verdict === 'too-old' ? 'too-old' : 'in-future',
    path: ['time'],
    message: `time ${shown} is ${iso(time)}, ${boundText(verdict, now, limits)}`,
    hint,
  };
}
