/** Severities in increasing order, as in Axibase; `min_severity` filters compare their ranks. */
export const SEVERITIES = ['info', 'warning', 'minor', 'major', 'critical', 'fatal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: string): number {
  return SEVERITIES.indexOf(severity as Severity);
}

export function isSeverity(text: unknown): text is Severity {
  return typeof text === 'string' && (SEVERITIES as readonly string[]).includes(text);
}
