/**
 * EventBridge content filtering for the patterns the template uses: exact values, prefix,
 * anything-but, exists and numeric comparisons, nested to any depth.
 */
type Matcher = string | number | boolean | null | Record<string, unknown>;

function matchesValue(matcher: Matcher, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return value === matcher;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(String(matcher.prefix));
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(String(matcher.suffix));
  if ('exists' in matcher) return matcher.exists ? value !== undefined : value === undefined;
  if ('anything-but' in matcher) {
    const excluded = ([] as unknown[]).concat(matcher['anything-but']);
    return value !== undefined && !excluded.some((m) => matchesValue(m as Matcher, value));
  }
  if ('numeric' in matcher && typeof value === 'number') {
    const ops = matcher.numeric as (string | number)[];
    for (let i = 0; i < ops.length; i += 2) {
      const [op, bound] = [ops[i], Number(ops[i + 1])];
      const ok =
        op === '='
          ? value === bound
          : op === '<'
            ? value < bound
            : op === '<='
              ? value <= bound
              : op === '>'
                ? value > bound
                : value >= bound;
      if (!ok) return false;
    }
    return true;
  }
  return false;
}

export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (Array.isArray(expected)) {
      const values = Array.isArray(value) ? value : [value];
      return (expected as Matcher[]).some((m) =>
        m !== null && typeof m === 'object' && 'exists' in m ? matchesValue(m, value) : values.some((v) => matchesValue(m, v)),
      );
    }
    if (expected && typeof expected === 'object') {
      return (
        value !== null && typeof value === 'object' && matchesPattern(expected as Record<string, unknown>, value as Record<string, unknown>)
      );
    }
    return false;
  });
}
