import { env } from "cloudflare:workers";

export type Received = { path: string; headers: Record<string, string>; body: string; status: number; at: number };

/** A unique https URL on the test webhook receiver (hooks.example.com resolves public unless a test says otherwise). */
export function receiverUrl(name: string, host = "hooks.example.com"): { url: string; path: string } {
  const path = `/hooks/${name}-${crypto.randomUUID()}`;
  return { url: `https://${host}${path}`, path };
}

export type DnsAnswer = {
  A?: string[];
  AAAA?: string[];
  /** DNS rcode: 0 NOERROR (default), 3 NXDOMAIN, 2 SERVFAIL */
  status?: number;
  /** seconds (default 60); 0 tells the API not to cache the answer, as a rebinding attacker would */
  ttl?: number;
  /** the resolver answers HTTP 503 */
  outage?: boolean;
};

/** What the test DNS resolver answers for `name` from now on (names never set resolve to 93.184.215.14). */
export async function setDns(name: string, answer: DnsAnswer) {
  await env.RECEIVER.fetch("https://receiver.control/dns", { method: "POST", body: JSON.stringify({ name, ...answer }) });
}

/** The DNS-over-HTTPS queries the API made for `name`. */
export async function dnsQueries(name: string): Promise<Array<{ name: string; type: string; accept: string | null; at: number }>> {
  return (await env.RECEIVER.fetch(`https://receiver.control/dns-queries?name=${encodeURIComponent(name)}`)).json();
}

/** A host name of its own for one test, under a public-looking domain. */
export function uniqueHost(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}.example.com`;
}

export async function received(path: string): Promise<Received[]> {
  return (await env.RECEIVER.fetch(`https://receiver.control/requests?path=${encodeURIComponent(path)}`)).json();
}

/** The receiver answers `status` to the next `failTimes` deliveries on this path, then 200. */
export async function failNext(path: string, failTimes: number, status = 500) {
  await env.RECEIVER.fetch("https://receiver.control/plan", { method: "POST", body: JSON.stringify({ path, failTimes, status }) });
}

/** The README's verification recipe: HMAC-SHA256 over `${t}.${body}`, constant-time compare, 5-minute replay window. */
export async function verifyWbizSignature(body: string, header: string | undefined, secret: string, toleranceSeconds = 300): Promise<boolean> {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds || !parts.v1) return false;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${body}`)));
  const expected = new TextEncoder().encode([...mac].map((b) => b.toString(16).padStart(2, "0")).join(""));
  const given = new TextEncoder().encode(parts.v1);
  return expected.length === given.length && crypto.subtle.timingSafeEqual(expected, given);
}
