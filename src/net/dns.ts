import { z } from "zod";

// What a host name resolves to, asked over DNS over HTTPS (Cloudflare's JSON API: GET
// ?name=…&type=A|AAAA with Accept: application/dns-json). A Worker has no resolver of its own to ask,
// and fetch() resolves names out of sight, so this is how the webhook policy learns where a delivery
// would connect. Answers are cached in the isolate for their TTL, capped; failures are not cached.

export const DEFAULT_RESOLVER_URL = "https://cloudflare-dns.com/dns-query";
/** An answer is trusted at most this long, whatever its TTL: a name that moves is seen within 5 minutes. */
export const MAX_TTL_SECONDS = 300;
/** NXDOMAIN, or a name without A/AAAA records: asked again after this. */
export const NEGATIVE_TTL_SECONDS = 30;
const TIMEOUT_MS = 5_000;
const MAX_CACHED_NAMES = 1_000;

const RECORD_A = 1;
const RECORD_AAAA = 28;
const RCODE = { NOERROR: 0, NXDOMAIN: 3 } as const;
const RCODE_NAMES: Record<number, string> = { 1: "FORMERR", 2: "SERVFAIL", 4: "NOTIMP", 5: "REFUSED" };

const DohAnswerSchema = z.object({
  Status: z.number().int(),
  Answer: z.array(z.object({ name: z.string(), type: z.number().int(), TTL: z.number(), data: z.string() })).optional(),
});
export type DohAnswer = z.infer<typeof DohAnswerSchema>;

export type Resolution =
  /** every A and AAAA address (empty: the name exists but has none) */
  | { kind: "addresses"; addresses: string[] }
  | { kind: "nxdomain" }
  /** the resolver could not answer: try again later */
  | { kind: "failed"; reason: string };

/** The A and AAAA answers for one name, as one resolution and how long it may be kept (seconds). */
export function interpretDoh(answers: DohAnswer[]): { resolution: Resolution; ttlSeconds: number } {
  const failed = answers.find((a) => a.Status !== RCODE.NOERROR && a.Status !== RCODE.NXDOMAIN);
  if (failed) return { resolution: { kind: "failed", reason: `resolver answered ${RCODE_NAMES[failed.Status] ?? `rcode ${failed.Status}`}` }, ttlSeconds: 0 };
  if (answers.some((a) => a.Status === RCODE.NXDOMAIN)) return { resolution: { kind: "nxdomain" }, ttlSeconds: NEGATIVE_TTL_SECONDS };
  const records = answers.flatMap((a) => a.Answer ?? []);
  const addresses = records.filter((r) => r.type === RECORD_A || r.type === RECORD_AAAA).map((r) => r.data);
  if (addresses.length === 0) return { resolution: { kind: "addresses", addresses: [] }, ttlSeconds: NEGATIVE_TTL_SECONDS };
  // the chain is only as fresh as its shortest-lived record (a CNAME's TTL counts too)
  const ttl = Math.min(...records.map((r) => r.TTL));
  return { resolution: { kind: "addresses", addresses: [...new Set(addresses)] }, ttlSeconds: Math.max(0, Math.min(MAX_TTL_SECONDS, Math.floor(ttl))) };
}

const cache = new Map<string, { resolution: Resolution; expiresAt: number }>();

async function ask(resolverUrl: string, name: string, type: "A" | "AAAA"): Promise<DohAnswer | string> {
  const url = new URL(resolverUrl);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  try {
    const res = await fetch(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) {
      await res.body?.cancel();
      return `resolver answered HTTP ${res.status}`;
    }
    const parsed = DohAnswerSchema.safeParse(await res.json().catch(() => null));
    return parsed.success ? parsed.data : "resolver answered something other than DNS JSON";
  } catch (err) {
    const name = (err as Error)?.name;
    return name === "TimeoutError" || name === "AbortError" ? "resolver timed out" : `resolver unreachable: ${(err as Error)?.message ?? err}`;
  }
}

/** A and AAAA for `host`, from the isolate's cache while the answer is fresh, else from the resolver. */
export async function resolveHost(resolverUrl: string, host: string): Promise<Resolution> {
  const now = Date.now();
  const hit = cache.get(host);
  if (hit && hit.expiresAt > now) return hit.resolution;
  const answers = await Promise.all([ask(resolverUrl, host, "A"), ask(resolverUrl, host, "AAAA")]);
  const problem = answers.find((a): a is string => typeof a === "string");
  if (problem) return { kind: "failed", reason: problem };
  const { resolution, ttlSeconds } = interpretDoh(answers as DohAnswer[]);
  cache.delete(host);
  if (ttlSeconds > 0) {
    // oldest first in a Map: drop the oldest name when full
    if (cache.size >= MAX_CACHED_NAMES) cache.delete(cache.keys().next().value!);
    cache.set(host, { resolution, expiresAt: now + ttlSeconds * 1000 });
  }
  return resolution;
}
