import { all, type Store } from "./store";

// A WABA's data as JSON lines, one row per line: {"table":"contacts","row":{…}}. Export writes every
// table (parents first), for offboarding and data-protection requests (`npm run admin -- waba:export`);
// import upserts such lines by primary key, which is how `npm run dev` seeds the demo data and how an
// export is restored.

/** Tables in an order that satisfies their foreign keys. */
export const TABLES = [
  "contacts", "contact_tags", "conversations", "messages", "media", "pending_statuses", "templates",
  "webhook_endpoints", "webhook_events", "webhook_deliveries", "meta_alerts", "campaigns", "campaign_recipients",
] as const;
export type Table = (typeof TABLES)[number];

const PAGE = 500;

/** Every row of every table, as JSON lines, a page at a time (rowid order). */
export function* exportLines(s: Pick<Store, "sql">): Generator<string> {
  for (const table of TABLES) {
    let after = 0;
    for (;;) {
      const rows = all<Record<string, SqlStorageValue> & { __rowid: number }>(s, `SELECT rowid AS __rowid, * FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`, after, PAGE);
      for (const { __rowid, ...row } of rows) yield `${JSON.stringify({ table, row })}\n`;
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]!.__rowid;
    }
  }
}

export type ImportResult = { rows: number; byTable: Partial<Record<Table, number>> };

/** Upserts JSON lines of exportLines' shape by primary key. Unknown tables or columns are refused (the whole import, in the caller's transaction). */
export function importLines(s: Pick<Store, "sql">, lines: string[]): ImportResult {
  const info = new Map(TABLES.map((t) => [t, all<{ name: string; pk: number }>(s, `SELECT name, pk FROM pragma_table_info(?)`, t)]));
  const columns = new Map<string, Set<string>>([...info].map(([t, cols]) => [t, new Set(cols.map((c) => c.name))]));
  const keys = new Map([...info].map(([t, cols]) => [t, cols.filter((c) => c.pk > 0).map((c) => c.name)]));
  const byTable: Partial<Record<Table, number>> = {};
  let count = 0;
  // a contact's tag lines are its whole tag set: tags it has that the lines do not name go
  const retagged = new Set<string>();
  for (const line of lines) {
    if (line.trim() === "") continue;
    const { table, row } = JSON.parse(line) as { table: Table; row: Record<string, SqlStorageValue> };
    const known = columns.get(table);
    if (!known) throw new Error(`unknown table ${String(table)}`);
    if (typeof row !== "object" || row === null) throw new Error(`line without a row: ${line.slice(0, 80)}`);
    const names = Object.keys(row);
    const unknown = names.find((n) => !known.has(n));
    if (unknown) throw new Error(`unknown column ${table}.${unknown}`);
    const key = keys.get(table)!;
    const missing = key.find((k) => !names.includes(k));
    if (missing) throw new Error(`a ${table} row needs its key column ${missing}`);
    if (table === "contact_tags" && !retagged.has(String(row.contact_id))) {
      retagged.add(String(row.contact_id));
      s.sql.exec(`DELETE FROM contact_tags WHERE contact_id = ?`, row.contact_id ?? null);
    }
    // an upsert, not INSERT OR REPLACE: replacing would delete the row first, and with it what refers to it
    const set = names.filter((n) => !key.includes(n)).map((n) => `${n} = excluded.${n}`);
    s.sql.exec(
      `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})
       ON CONFLICT (${key.join(", ")}) DO ${set.length ? `UPDATE SET ${set.join(", ")}` : "NOTHING"}`,
      ...names.map((n) => row[n]!),
    );
    byTable[table] = (byTable[table] ?? 0) + 1;
    count++;
  }
  return { rows: count, byTable };
}
