// What every bench section gets: the two origins, the demo tenant's fixed values and keys, and
// the way results are reported (figures with their targets, plus each section's tables).
import { demoWaba } from "../../demo/dataset";
import { SCOPES } from "../../src/auth/scopes";
import type { Plan } from "../../src/db/schema";
import { localVar } from "../lib/wrangler";
import { seedId } from "../seed/sql";
import type { CpuProbe } from "./cpu";
import { expectStatus, jsonBody, timedFetch } from "./http";

export type BenchContext = {
  /** which stack: "wrangler dev" or "Miniflare, no proxy" */
  stack: string;
  /** the WBIZ API (the API's META binding reaches the emulator of the same stack) */
  api: string;
  /** the emulator alone, on its own port: the baseline */
  emulator: string;
  /**
   * true when `emulator` is the very emulator behind the API's META binding (the proxy-free stack
   * serves it on a socket of its own), so its control API reaches what the relay talks to; false for
   * `wrangler dev`, whose in-process emulator has no port and the baseline is a second `wrangler dev`.
   */
  sharedEmulator: boolean;
  /** the demo keys by label (starter, growth, scale, …), as `npm run dev` prints them */
  demoKeys: Record<string, string>;
  /** CPU seconds of the stack's processes by role, for "what set the pace" */
  cpu: CpuProbe;
  /** the stack's log (its queue batch lines are read from it), when there is one */
  logFile?: string;
  log: (line: string) => void;
};

/** The demo tenant (demo/dataset.ts, scripts/seed/demo-seed.ts). */
/**
 * The bench's numbers (the demo's and those it provisions, but for the campaign section's) are set to
 * 1,000 messages/s, Meta's highest level, with the emulator's own cap lifted: the pipeline sections
 * measure WBIZ, not Meta's per-number limit (the relay paces a number at 95 % of its level).
 */
export const BENCH_PHONE_MPS = 1000;

/**
 * The API's vars on every bench stack: no pair pacing (`PAIR_INTERVAL_MS=0`), because the pipeline
 * sections send every message to one demo contact — which Meta's pair rate would forbid, and which the
 * emulator does not enforce for them. The campaign section's recipients are all distinct.
 */
export const BENCH_API_VARS = { PAIR_INTERVAL_MS: "0" };

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

export async function admin(ctx: Pick<BenchContext, "api">, method: string, path: string, body?: unknown): Promise<any> {
  const token = localVar("ADMIN_TOKEN");
  const init: RequestInit = body === undefined ? { method, headers: { Authorization: `Bearer ${token}` } } : { ...jsonBody(token, body), method };
  const r = await timedFetch(ctx.api + path, init);
  return expectStatus(r, `${method} ${path}`, 200, 201).json;
}

/** A fresh key (on the demo WABA unless told) with every scope: its Durable Object has never seen a request. */
export async function provisionKey(ctx: Pick<BenchContext, "api">, plan: Plan, name: string, wabaId: string = DEMO.wabaId): Promise<string> {
  const created = await admin(ctx, "POST", "/admin/keys", { wabaId, name, scopes: [...SCOPES], mode: "live", planOverride: plan }); // live, as the demo keys the bench seeds (stack.ts)
  return created.secret as string;
}

/** A Markdown table. */
export function table(head: string[], rows: Array<Array<string | number>>, align?: Array<"l" | "r">): string {
  const sep = head.map((_, i) => ((align?.[i] ?? "l") === "r" ? "---:" : "---"));
  return [head, sep, ...rows.map((r) => r.map(String))].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

export const mark = (pass: boolean | null) => (pass === null ? "—" : pass ? "✅ pass" : "❌ miss");
