// "Did you mean …?": the candidates closest to a misspelt name, for error messages.

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * Up to `max` candidates close to `name`, closest first: within a third of the name's length in edits
 * (at least 2), or containing it, or contained in it (`order_shipped` → `order_shipped_v2`).
 */
export function nearestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const wanted = name.toLowerCase();
  const budget = Math.max(2, Math.floor(wanted.length / 3));
  return [...new Set(candidates)]
    .filter((c) => c !== name)
    .map((c) => {
      const lower = c.toLowerCase();
      const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
      return { c, d: contains ? Math.min(editDistance(name, c), budget) : editDistance(name, c) };
    })
    .filter(({ d }) => d <= budget)
    .sort((p, q) => p.d - q.d || p.c.localeCompare(q.c))
    .slice(0, max)
    .map(({ c }) => c);
}
