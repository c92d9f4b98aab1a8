/** A SQL literal for SQLite: strings quoted, null as NULL, booleans as 0/1. */
export function lit(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "number") return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/** An idempotent upsert: inserts the row, or brings an existing row (same key) back to these values. */
export function upsert(table: string, row: Record<string, unknown>, conflict: string[] = ["id"]): string {
  const cols = Object.keys(row);
  const updates = cols.filter((c) => !conflict.includes(c)).map((c) => `${c} = excluded.${c}`);
  return (
    `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => lit(row[c])).join(", ")})` +
    ` ON CONFLICT (${conflict.join(", ")}) DO ${updates.length ? `UPDATE SET ${updates.join(", ")}` : "NOTHING"};`
  );
}

const BASE_MS = Date.UTC(2026, 0, 1);

/** Fixed, time-ordered 24-hex ids for seeded rows: the same on every machine, sorted by (kind, n). */
export function seedId(kind: number, n: number): string {
  return (BASE_MS + kind * 1_000_000 + n).toString(16).padStart(12, "0") + `5eed${kind.toString(16).padStart(2, "0")}${n.toString(16).padStart(6, "0")}`;
}
