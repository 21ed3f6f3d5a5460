/**
 * How many items fall under each key, keys in alphabetical order so that a summary written as JSON
 * reads the same from run to run: `countBy(facts, (f) => f.status)` → `{ completed: 3, skipped: 1 }`.
 */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
