import { describe, expect, it } from "vitest";
import { interpretDoh, MAX_TTL_SECONDS, NEGATIVE_TTL_SECONDS, type DohAnswer } from "../../src/net/dns";

// How the A and AAAA answers of Cloudflare's DNS-over-HTTPS JSON API become one resolution, and how long
// it is kept. (The resolver itself, against the test receiver: test/webhooks/webhook-dns.test.ts.)

const record = (type: number, data: string, TTL = 60) => ({ name: "hooks.example.com", type, TTL, data });
const ok = (...answer: ReturnType<typeof record>[]): DohAnswer => ({ Status: 0, ...(answer.length ? { Answer: answer } : {}) });

describe("interpretDoh", () => {
  it.each<[string, DohAnswer[], ReturnType<typeof interpretDoh>]>([
    ["A and AAAA", [ok(record(1, "93.184.215.14", 120)), ok(record(28, "2606:2800:21f:cb07:6820:80da:af6b:8b2c", 90))], { resolution: { kind: "addresses", addresses: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] }, ttlSeconds: 90 }],
    ["a CNAME chain: its TTL counts, its target is not an address", [ok(record(5, "edge.example.net.", 30), record(1, "93.184.215.14", 300)), ok()], { resolution: { kind: "addresses", addresses: ["93.184.215.14"] }, ttlSeconds: 30 }],
    ["a TTL over the cap", [ok(record(1, "93.184.215.14", 86_400)), ok()], { resolution: { kind: "addresses", addresses: ["93.184.215.14"] }, ttlSeconds: MAX_TTL_SECONDS }],
    ["TTL 0: not kept", [ok(record(1, "127.0.0.1", 0)), ok()], { resolution: { kind: "addresses", addresses: ["127.0.0.1"] }, ttlSeconds: 0 }],
    ["the same address twice", [ok(record(1, "93.184.215.14"), record(1, "93.184.215.14")), ok()], { resolution: { kind: "addresses", addresses: ["93.184.215.14"] }, ttlSeconds: 60 }],
    ["no A or AAAA records", [ok(), ok()], { resolution: { kind: "addresses", addresses: [] }, ttlSeconds: NEGATIVE_TTL_SECONDS }],
    ["NXDOMAIN", [{ Status: 3 }, { Status: 3 }], { resolution: { kind: "nxdomain" }, ttlSeconds: NEGATIVE_TTL_SECONDS }],
    ["SERVFAIL on one type: not kept, and nothing is trusted", [ok(record(1, "93.184.215.14")), { Status: 2 }], { resolution: { kind: "failed", reason: "resolver answered SERVFAIL" }, ttlSeconds: 0 }],
    ["an rcode without a name", [{ Status: 9 }, ok()], { resolution: { kind: "failed", reason: "resolver answered rcode 9" }, ttlSeconds: 0 }],
  ])("%s", (_, answers, expected) => {
    expect(interpretDoh(answers)).toEqual(expected);
  });
});
