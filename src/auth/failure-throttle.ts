import { formatIpv4, parseIpv4, parseIpv6 } from "../net/ip-address";

// Throttling a client that presents key after unknown key. A well-formed key with a valid checksum
// costs a Durable Object call (and, for a key not seen in the last minute, a D1 read) before it can be
// refused, and a flood of distinct ones would each cost both. So failed authentications are counted per
// client address with the Workers Rate Limiting binding (AUTH_FAILURE_LIMITER); once a client is over,
// this isolate answers it 429 before any Durable Object or D1 work until the period is over.
//
// Only failures count, and a key this isolate has seen admitted recently is still admitted while its
// address is blocked: an office sharing one address with a misbehaving machine keeps working with its
// own keys. A key the isolate has not vouched for is refused with the rest until the block ends.

/** The binding's `simple.period` in wrangler.toml: a block lasts one period. */
export const AUTH_FAILURE_PERIOD_SECONDS = 60;
/** How long an admitted key hash is vouched for (it only lifts the address block: the gate still authenticates it). */
const VOUCH_MS = 10 * 60_000;
const MAX_ENTRIES = 10_000;

/**
 * Who is failing: the address Cloudflare saw (CF-Connecting-IP, which clients cannot set), an IPv6
 * client by its /64, since one subscriber gets a whole /64 to pick addresses from. null where there is
 * none (tests, service bindings): those are not the internet's floods.
 */
export function clientKey(connectingIp: string | undefined | null): string | null {
  const ip = connectingIp?.trim();
  if (!ip) return null;
  const v4 = parseIpv4(ip);
  if (v4 !== null) return formatIpv4(v4);
  const v6 = parseIpv6(ip);
  if (v6 === null) return `raw:${ip.slice(0, 64)}`;
  const prefix = (v6 >> 64n).toString(16).padStart(16, "0");
  return `${prefix.match(/.{4}/g)!.join(":")}::/64`;
}

/** Keys that expire, at most `max` of them (the oldest goes first): an isolate's memory must stay bounded. */
export class ExpiringSet {
  readonly #until = new Map<string, number>();
  constructor(private readonly max: number) {}

  add(key: string, until: number) {
    this.#until.delete(key);
    if (this.#until.size >= this.max) this.#until.delete(this.#until.keys().next().value!);
    this.#until.set(key, until);
  }

  /** ms left, or 0 when absent or expired */
  remaining(key: string, now: number): number {
    const until = this.#until.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.#until.delete(key);
      return 0;
    }
    return until - now;
  }

  delete(key: string) {
    this.#until.delete(key);
  }
}

const blocked = new ExpiringSet(MAX_ENTRIES);
const vouched = new ExpiringSet(MAX_ENTRIES);

/** Seconds to wait when this client is blocked and the key is not one this isolate vouches for; else 0. */
export function blockedFor(client: string | null, keyHash: string, now: number): number {
  if (client === null || vouched.remaining(keyHash, now) > 0) return 0;
  return Math.ceil(blocked.remaining(client, now) / 1000);
}

/** Counts a failed authentication; returns the seconds to wait when the client is now over the limit, else 0. */
export async function recordFailure(limiter: RateLimit, client: string | null, keyHash: string, now: number): Promise<number> {
  vouched.delete(keyHash);
  if (client === null) return 0;
  const { success } = await limiter.limit({ key: client });
  if (success) return 0;
  blocked.add(client, now + AUTH_FAILURE_PERIOD_SECONDS * 1000);
  return AUTH_FAILURE_PERIOD_SECONDS;
}

export function recordSuccess(keyHash: string, now: number) {
  vouched.add(keyHash, now + VOUCH_MS);
}
