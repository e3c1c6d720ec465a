/**
 * The catalogue of rule-file diagnostics: one function per kind, each with a stable code, a
 * message that says what is wrong and a hint that says how to fix it. The span is added by the
 * caller, which knows where in the YAML the offending value sits. Expression mistakes come from
 * the parser's own catalogue (src/parser/problems.ts).
 *
 * Codes: yaml-syntax, duplicate-key, unknown-key, missing-key, wrong-type, not-allowed,
 * invalid-format, out-of-range, invalid-value, invalid-duration, invalid-window, invalid-group-by,
 * invalid-timezone, invalid-schedule, invalid-flapping, expect-without-no-data, series-ttl-raised, override-no-effect,
 * window-too-short (window-reach.ts), duplicate-notify, duplicate-rule, duplicate-webhook, duplicate-template, unknown-webhook,
 * unknown-template, invalid-json, unreadable-file.
 */
import { closest, type Problem } from '../../parser/diagnostics.js';
import { DURATION_UNITS } from '../../model/duration.js';

export type RuleProblem = Omit<Problem, 'span'>;

const didYouMean = (word: string, candidates: Iterable<string>): string => {
  const match = closest(word, candidates);
  return match === null || match === word ? '' : ` (did you mean '${match}'?)`;
};

const DURATION_HINT = "write a number and a unit: 30s, 5m, 1h30m, 250ms or '5 minute'";

export function invalidDuration(field: string, text: string): RuleProblem {
  const unit = /[a-z]+\s*$/i.exec(text.trim())?.[0].trim().toLowerCase();
  const suggestion = unit && !DURATION_UNITS.includes(unit) ? didYouMean(unit, DURATION_UNITS) : '';
  const bare = /^\s*\d+(\.\d+)?\s*$/.test(text);
  return {
    code: 'invalid-duration',
    message: `'${field}' is not a duration: '${text}'${suggestion}`,
    hint: bare ? `a duration needs a unit: ${text.trim()}s, ${text.trim()}m, …` : DURATION_HINT,
  };
}

export function zeroDuration(field: string, text: string): RuleProblem {
  return {
    code: 'invalid-duration',
    message: `'${field}' must be longer than 0s, not '${text}'`,
    hint: field === 'repeat.interval' ? "to send an alert only once, write 'repeat: none'" : `to turn it off, remove '${field}'`,
  };
}

const WINDOW_HINT = 'write length(N) for the last N samples, or time(5 minute) / time(5m) for a span of data time';

export function invalidWindow(text: string, reason?: string): RuleProblem {
  const name = /^\s*([A-Za-z_]+)\s*\(/.exec(text)?.[1];
  const suggestion = name && name !== 'length' && name !== 'time' ? didYouMean(name, ['length', 'time']) : '';
  return {
    code: 'invalid-window',
    message: `invalid window '${text}'${reason ? `: ${reason}` : ''}${suggestion}`,
    hint: WINDOW_HINT,
  };
}

const GROUP_BY_HINT = "series key parts are 'entity', 'metric' and sample tags ('tags.mount' or just 'mount')";

export function entityTagInGroupBy(part: string): RuleProblem {
  return {
    code: 'invalid-group-by',
    message: `'${part}' cannot be part of a series key: entity tags belong to the entity, not to the series`,
    hint: `group by 'entity' (one series per entity) or by a sample tag; ${GROUP_BY_HINT}`,
  };
}

export function notASeriesPart(part: string): RuleProblem {
  return {
    code: 'invalid-group-by',
    message: `'${part}' cannot be part of a series key`,
    hint: GROUP_BY_HINT,
  };
}

export function tagLooksLikePart(part: string, meant: string): RuleProblem {
  return {
    code: 'invalid-group-by',
    severity: 'warning',
    message: `'${part}' is taken as a sample tag name (did you mean '${meant}'?)`,
    hint: `write 'tags.${part}' if you mean the tag; ${GROUP_BY_HINT}`,
  };
}

export function duplicateGroupBy(part: string): RuleProblem {
  return { code: 'invalid-group-by', severity: 'warning', message: `'${part}' is listed twice in group_by`, hint: 'remove the second one' };
}

export function invalidTimezone(zone: string, candidates: readonly string[]): RuleProblem {
  return {
    code: 'invalid-timezone',
    message: `unknown time zone '${zone}'${didYouMean(zone, candidates)}`,
    hint: "use an IANA time zone name such as 'UTC', 'Europe/Berlin' or 'America/New_York'",
  };
}

export function invalidSchedule(message: string, hint?: string): RuleProblem {
  return { code: 'invalid-schedule', message: `schedule: ${message}`, ...(hint ? { hint } : {}) };
}

export function invalidFlapping(message: string): RuleProblem {
  return {
    code: 'invalid-flapping',
    message,
    hint: 'a series starts flapping above high and calms down below low, e.g. { window: 10, low: 0.25, high: 0.5 }',
  };
}

export function expectWithoutNoData(): RuleProblem {
  return {
    code: 'expect-without-no-data',
    message: "'expect' needs 'no_data': how long may an expected entity stay silent?",
    hint: "add e.g. 'no_data: 10m' to the rule",
  };
}

export function seriesTtlRaised(written: string, needed: string, because: string): RuleProblem {
  return {
    code: 'series-ttl-raised',
    severity: 'warning',
    message: `series_ttl '${written}' is shorter than this rule needs: series are kept for ${needed} (its ${because})`,
    hint: `write 'series_ttl: ${needed}' or longer, or remove it (default 1h, raised as needed)`,
  };
}

export function overrideWithoutEffect(): RuleProblem {
  return {
    code: 'override-no-effect',
    severity: 'warning',
    message: 'this override changes nothing',
    hint: "give it 'severity', 'disabled: true' or 'labels'",
  };
}

export function duplicateNotify(webhook: string): RuleProblem {
  return {
    code: 'duplicate-notify',
    severity: 'warning',
    message: `webhook '${webhook}' is notified twice by this rule`,
    hint: "merge the two entries; list the statuses to send in one 'on:'",
  };
}

export function duplicateName(kind: 'rule' | 'webhook' | 'template', name: string, first: { file: string; line: number }): RuleProblem {
  return {
    code: `duplicate-${kind}`,
    message: `${kind} '${name}' is defined twice`,
    hint: `it is first defined at ${first.file}:${first.line}; ${kind} names must be unique in the config directory`,
  };
}

export function unknownWebhook(name: string, known: readonly string[]): RuleProblem {
  return {
    code: 'unknown-webhook',
    severity: 'warning',
    message: `webhook '${name}' is not declared in this directory${didYouMean(name, known)}`,
    hint: `declared webhooks: ${known.join(', ')}; a webhook created through the API is fine, otherwise fix the name`,
  };
}

export function unknownTemplate(name: string, known: readonly string[]): RuleProblem {
  return {
    code: 'unknown-template',
    severity: 'warning',
    message: `template '${name}' is neither declared in this directory nor a preset${didYouMean(name, known)}`,
    hint: `known templates: ${known.join(', ')}; a template created through the API is fine, otherwise fix the name`,
  };
}

export function invalidJson(reason: string): RuleProblem {
  return {
    code: 'invalid-json',
    message: `invalid JSON: ${reason}`,
    hint: 'a template file holds one JSON value, usually an object; strings and keys need double quotes, no trailing commas',
  };
}

export function unreadableFile(reason: string): RuleProblem {
  return { code: 'unreadable-file', message: `cannot read the file: ${reason}`, hint: 'check that the file exists and is readable' };
}
