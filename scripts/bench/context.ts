// What every bench section gets: the two origins, the demo tenant's fixed values and keys, and
// the way results are reported (figures with their targets, plus each section's tables).
import { demoWaba } from "../../demo/dataset";
import { SCOPES } from "../../src/auth/scopes";
import type { Plan } from "../../src/db/schema";
import { localVar } from "../lib/wrangler";
import { seedId } from "../seed/sql";
import { expectStatus, jsonBody, timedFetch } from "./http";

export type BenchContext = {
  /** the WBIZ API (with its in-process emulator behind the META binding) */
  api: string;
  /** the emulator alone, on its own port: the baseline */
  emulator: string;
  /** the demo keys by label (starter, growth, scale, …), as `npm run dev` prints them */
  demoKeys: Record<string, string>;
  /** the large data set's key (scale plan) */
  benchKey: string;
  /** the API's wrangler dev output (the relay logs each message's costs there: LOG_RELAY_COSTS) */
  apiLog: string;
  /** the process group of the API's wrangler dev (its Node process and workerd), for CPU accounting */
  apiPgid: number;
  log: (line: string) => void;
};

/** The demo tenant (demo/dataset.ts, scripts/seed/demo-seed.ts). */
export const DEMO = {
  /** the WABA's id in D1: tenant 1 of the demo seed */
  wabaId: seedId(2, 1),
  metaWabaId: demoWaba.metaWabaId,
  phoneNumberId: demoWaba.phoneNumbers[0]!.metaPhoneNumberId,
  accessToken: demoWaba.accessToken,
  /** Aarav Sharma: wrote 20 minutes before the seed, so his 24-hour window is open */
  recipient: "+919812345678",
  graphVersion: "v24.0",
} as const;

export type Figure = {
  /** the figure's name, e.g. "Gateway overhead (p50)" */
  name: string;
  /** the measured value, formatted */
  value: string;
  /** the target, in words */
  target: string;
  /** null: reported, no pass/fail */
  pass: boolean | null;
};

export type SectionResult = {
  id: string;
  title: string;
  figures: Figure[];
  /** the section's body in docs/benchmarks.md: tables and how it was measured */
  markdown: string;
};

export async function admin(ctx: BenchContext, method: string, path: string, body?: unknown): Promise<any> {
  const token = localVar("ADMIN_TOKEN");
  const init: RequestInit = body === undefined ? { method, headers: { Authorization: `Bearer ${token}` } } : { ...jsonBody(token, body), method };
  const r = await timedFetch(ctx.api + path, init);
  return expectStatus(r, `${method} ${path}`, 200, 201).json;
}

/** A fresh key on the demo WABA with every scope: its Durable Object has never seen a request. */
export async function provisionKey(ctx: BenchContext, plan: Plan, name: string): Promise<string> {
  const created = await admin(ctx, "POST", "/admin/keys", { wabaId: DEMO.wabaId, name, scopes: [...SCOPES], mode: "test", planOverride: plan });
  return created.secret as string;
}

/** A Markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>, align?: Array<"l" | "r">): string {
  const sep = head.map((_, i) => ((align?.[i] ?? "l") === "r" ? "---:" : "---"));
  return [head, sep, ...rows.map((r) => r.map(String))].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

export const mark = (pass: boolean | null) => (pass === null ? "—" : pass ? "✅ pass" : "❌ miss");
