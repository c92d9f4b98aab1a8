import { addressProblem, parseIpv4 } from "../net/ip-address";

// Where integrator webhooks may point, judged on the URL alone (what a name resolves to is judged at
// create time and again before every delivery: src/webhooks/destination.ts).
//
// - https only, on port 443. Deployed Workers ignore a custom port on an https fetch and connect to 443
//   anyway (cloudflare/workers-sdk#1320, cloudflare/cloudflare-docs#4299; wrangler's checked-fetch warns
//   "the custom port will be ignored when the Worker is published"), so a URL naming another port would
//   be delivered somewhere other than it says: refuse it. An explicit :443 is fine.
// - Plain http only to loopback, and only where WEBHOOKS_ALLOW_LOOPBACK_HTTP is on (local dev), any port.
// - The host is judged as the WHATWG URL parser leaves it: lower case, IDN as punycode, odd IPv4
//   spellings (0x7f.1, 2130706433, 127.1) as dotted decimal, IPv6 compressed. Trailing dots are dropped
//   ("localhost." is localhost).
// - An IP literal must be public (src/net/ip-address.ts); a name must have at least two labels and must
//   not be under a suffix that only exists inside networks or is reserved by RFC 2606/6761/6762/7686.

const INTERNAL_SUFFIXES = ["localhost", "localdomain", "local", "internal", "intranet", "lan", "home", "corp", "arpa", "test", "invalid", "onion", "example"];

export type WebhookTarget =
  | { kind: "refused"; problem: string }
  /** a public IP literal: nothing to resolve */
  | { kind: "address"; host: string }
  /** a name: resolve it, and check every answer, before connecting */
  | { kind: "name"; host: string }
  /** http to loopback, local development only */
  | { kind: "loopback-http"; host: string };

const PUBLIC = "must be a public address";

/** The parsed hostname without brackets or trailing dots. */
export function normaliseHost(hostname: string): string {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  return bare.replace(/\.+$/, "");
}

function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || addressProblem(host) === "loopback";
}

/** Why a host name (not an IP literal) is refused, or null. */
export function hostNameProblem(host: string): string | null {
  const labels = host.split(".");
  if (host.length > 253 || labels.some((l) => l.length === 0 || l.length > 63 || !/^[a-z0-9_-]+$/.test(l))) return "must have a valid host name";
  const suffix = INTERNAL_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return `${PUBLIC}: ${host} is an internal or reserved name (.${suffix})`;
  if (labels.length < 2) return `${PUBLIC}: "${host}" is a single-label name`;
  return null;
}

export function webhookTarget(raw: string, allowLoopbackHttp: boolean): WebhookTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: "refused", problem: "must be an absolute URL" };
  }
  if (url.username || url.password) return { kind: "refused", problem: "must not contain credentials" };
  const host = normaliseHost(url.hostname);
  if (url.protocol === "http:") {
    return allowLoopbackHttp && isLoopbackHost(host)
      ? { kind: "loopback-http", host }
      : { kind: "refused", problem: "must use https (http is allowed only to loopback in local development)" };
  }
  if (url.protocol !== "https:") return { kind: "refused", problem: "must use https" };
  // the parser drops the default port, so an explicit :443 is "" here too
  if (url.port !== "") return { kind: "refused", problem: `must not name a port other than 443 (got ${url.port}): Cloudflare Workers ignore custom ports on https and always connect to 443` };
  if (url.hostname.startsWith("[") || parseIpv4(host) !== null) {
    const problem = addressProblem(host);
    return problem ? { kind: "refused", problem: `${PUBLIC}: ${host} is ${problem}` } : { kind: "address", host };
  }
  const problem = hostNameProblem(host);
  return problem ? { kind: "refused", problem } : { kind: "name", host };
}
