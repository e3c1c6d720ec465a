/**
 * Which rules see a metric. Exact names go into a map; globs (`docker.*`) are tested once per new
 * metric name and the answer cached, so routing a sample is one map lookup, not a scan of all rules.
 */
import { compileGlob, type LikePattern } from '../parser/like.js';

export interface Routable {
  metrics: readonly string[];
}

export function isGlob(metric: string): boolean {
  return metric.includes('*') || metric.includes('?');
}

export class MetricRouter<R extends Routable> {
  private readonly exact = new Map<string, R[]>();
  private readonly globs: Array<{ glob: LikePattern; rule: R }> = [];
  private readonly cache = new Map<string, readonly R[]>();
  private static readonly NONE: readonly never[] = Object.freeze([]);

  constructor(rules: Iterable<R>) {
    for (const rule of rules) {
      for (const metric of new Set(rule.metrics)) {
        if (isGlob(metric)) this.globs.push({ glob: compileGlob(metric), rule });
        else {
          const list = this.exact.get(metric);
          if (list) list.push(rule);
          else this.exact.set(metric, [rule]);
        }
      }
    }
  }

  rulesFor(metric: string): readonly R[] {
    const cached = this.cache.get(metric);
    if (cached) return cached;
    const matched = [...(this.exact.get(metric) ?? [])];
    // Linear in the name's length (like.ts): a regular expression with two `.*` took seconds on a 64 KiB name.
    for (const { glob, rule } of this.globs) if (glob.test(metric) && !matched.includes(rule)) matched.push(rule);
    const result = matched.length === 0 ? MetricRouter.NONE : matched;
    // Metric names come from clients; bound the cache so a flood of names cannot grow it forever.
    if (this.cache.size >= 100_000) this.cache.clear();
    this.cache.set(metric, result);
    return result;
  }
}
