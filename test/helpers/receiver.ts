import { env } from "cloudflare:workers";

export type Received = { path: string; headers: Record<string, string>; body: string; status: number; at: number };

/** A unique https URL on the test webhook receiver. */
export function receiverUrl(name: string): { url: string; path: string } {
  const path = `/hooks/${name}-${crypto.randomUUID()}`;
  return { url: `https://hooks.example.test${path}`, path };
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
