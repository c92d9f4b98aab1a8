import type { Env } from "../env";
import { resolveHost } from "../net/dns";
import { settings } from "../settings";
import { addressProblem } from "../net/ip-address";
import { webhookTarget } from "./url-policy";

// Whether a webhook URL may be connected to right now: the URL policy, then, for a name, every
// address it resolves to. Checked when an endpoint is created or its URL changed, and again before
// every delivery, because a name can be pointed somewhere else after it was accepted (DNS rebinding).
//
// What is left: fetch() resolves the name again when it connects, so a name that flips between a
// public and a private answer with TTL 0 can still win the race between this check and the connect.
// The check closes every name that resolves privately when asked.

export type Destination =
  | { kind: "ok" }
  /** `final`: the URL itself is refused (reason: what the URL must be), so asking again will not help */
  | { kind: "refused"; reason: string; final: boolean }
  /** the name could not be resolved (resolver down, NXDOMAIN, no records): perhaps later */
  | { kind: "unresolved"; reason: string };

export async function checkDestination(env: Env, url: string): Promise<Destination> {
  const config = settings(env);
  const target = webhookTarget(url, config.webhooksAllowLoopbackHttp);
  if (target.kind === "refused") return { kind: "refused", reason: target.problem, final: true };
  if (target.kind !== "name") return { kind: "ok" };
  const host = target.host;
  const resolution = await resolveHost(config.dnsResolverUrl, host);
  if (resolution.kind === "failed") return { kind: "unresolved", reason: `DNS lookup of ${host} failed: ${resolution.reason}` };
  if (resolution.kind === "nxdomain") return { kind: "unresolved", reason: `${host} does not exist (NXDOMAIN)` };
  if (resolution.addresses.length === 0) return { kind: "unresolved", reason: `${host} has no A or AAAA records` };
  for (const address of resolution.addresses) {
    const problem = addressProblem(address);
    if (problem) return { kind: "refused", reason: `${host} resolves to ${address} (${problem})`, final: false };
  }
  return { kind: "ok" };
}
