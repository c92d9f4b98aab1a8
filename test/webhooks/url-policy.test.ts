import { describe, expect, it } from "vitest";
import { addressProblem, parseIpv6 } from "../../src/net/ip-address";
import { webhookTarget } from "../../src/webhooks/url-policy";

// The pure webhook URL policy and the address rules behind it, one row per spelling. Where a name
// resolves is judged elsewhere (test/webhooks/webhook-dns.test.ts); here a name is only "to resolve".

const DEV = true; // WEBHOOKS_ALLOW_LOOPBACK_HTTP

describe("webhookTarget: IP literals are judged after the URL parser has normalised them", () => {
  it.each([
    // loopback, however it is spelt
    ["https://127.0.0.1/x", "127.0.0.1 is loopback"],
    ["https://127.0.0.1./x", "127.0.0.1 is loopback"],
    ["https://127.1/x", "127.0.0.1 is loopback"],
    ["https://0x7f.1/x", "127.0.0.1 is loopback"],
    ["https://2130706433/x", "127.0.0.1 is loopback"],
    ["https://0177.0.0.1/x", "127.0.0.1 is loopback"],
    ["https://０x7f.1/x", "127.0.0.1 is loopback"], // fullwidth digits
    ["https://127。0。0。1/x", "127.0.0.1 is loopback"], // ideographic full stops
    ["https://127.255.255.254/x", "127.255.255.254 is loopback"],
    ["https://[::1]/x", "::1 is loopback"],
    ["https://[0:0:0:0:0:0:0:1]/x", "::1 is loopback"],
    ["https://[::ffff:127.0.0.1]/x", "::ffff:7f00:1 is IPv4-mapped 127.0.0.1, loopback"],
    ["https://[::ffff:7f00:1]/x", "::ffff:7f00:1 is IPv4-mapped 127.0.0.1, loopback"],
    ["https://[::127.0.0.1]/x", "::7f00:1 is IPv4-compatible 127.0.0.1, loopback"],
    // every IPv4 special-purpose block
    ["https://0.0.0.0/x", "0.0.0.0 is this network"],
    ["https://0.1.2.3/x", "0.1.2.3 is this network"],
    ["https://10.0.0.5/x", "10.0.0.5 is private"],
    ["https://100.64.0.1/x", "100.64.0.1 is CGNAT"],
    ["https://100.127.255.255/x", "100.127.255.255 is CGNAT"],
    ["https://100.100.100.200/x", "100.100.100.200 is cloud metadata"],
    ["https://169.254.169.254/latest/meta-data", "169.254.169.254 is cloud metadata"],
    ["https://169.254.1.1/x", "169.254.1.1 is link-local"],
    ["https://172.16.0.1/x", "172.16.0.1 is private"],
    ["https://172.31.255.255/x", "172.31.255.255 is private"],
    ["https://192.0.0.1/", "192.0.0.1 is IETF protocol assignments"],
    ["https://192.0.2.1/", "192.0.2.1 is documentation"],
    ["https://192.88.99.1/", "192.88.99.1 is 6to4 relay anycast"],
    ["https://192.168.1.10/x", "192.168.1.10 is private"],
    ["https://198.18.0.1/", "198.18.0.1 is benchmarking"],
    ["https://198.19.255.255/", "198.19.255.255 is benchmarking"],
    ["https://198.51.100.7/", "198.51.100.7 is documentation"],
    ["https://203.0.113.9/", "203.0.113.9 is documentation"],
    ["https://224.0.0.1/", "224.0.0.1 is multicast"],
    ["https://239.255.255.250/", "239.255.255.250 is multicast"],
    ["https://240.0.0.1/", "240.0.0.1 is reserved"],
    ["https://255.255.255.255/", "255.255.255.255 is broadcast"],
    // every IPv6 special-purpose block, and the IPv4-embedding forms judged by their IPv4 address
    ["https://[::]/x", ":: is unspecified"],
    ["https://[64:ff9b::10.0.0.1]/x", "64:ff9b::a00:1 is NAT64 10.0.0.1, private"],
    ["https://[64:ff9b::8.8.8.8]/x", "64:ff9b::808:808 is outside global unicast 2000::/3"],
    ["https://[64:ff9b:1::1]/x", "64:ff9b:1::1 is NAT64 local use"],
    ["https://[2002:a00:1::]/x", "2002:a00:1:: is 6to4 10.0.0.1, private"],
    ["https://[2002:a9fe:a9fe::1]/x", "2002:a9fe:a9fe::1 is 6to4 169.254.169.254, cloud metadata"],
    ["https://[100::1]/x", "100::1 is discard-only"],
    ["https://[2001::1]/x", "2001::1 is IETF protocol assignments"], // Teredo
    ["https://[2001:1ff::1]/x", "2001:1ff::1 is IETF protocol assignments"],
    ["https://[2001:db8::1]/x", "2001:db8::1 is documentation"],
    ["https://[3fff::1]/x", "3fff::1 is documentation"],
    ["https://[fc00::1]/x", "fc00::1 is unique local (private)"],
    ["https://[fd12:3456::1]/x", "fd12:3456::1 is unique local (private)"],
    ["https://[fd00:ec2::254]/x", "fd00:ec2::254 is cloud metadata"],
    ["https://[fe80::1]/x", "fe80::1 is link-local"],
    ["https://[febf::1]/x", "febf::1 is link-local"],
    ["https://[fec0::1]/x", "fec0::1 is site-local"],
    ["https://[ff02::1]/x", "ff02::1 is multicast"],
    ["https://[4000::1]/x", "4000::1 is outside global unicast 2000::/3"],
    ["https://[::ffff:8.8.8.8]/x", "::ffff:808:808 is outside global unicast 2000::/3"],
  ])("refuses %s", (url, why) => {
    expect(webhookTarget(url, DEV)).toEqual({ kind: "refused", problem: `must be a public address: ${why}` });
  });

  it.each([
    ["https://93.184.215.14/hook", "93.184.215.14"],
    ["https://1.1.1.1/hook", "1.1.1.1"],
    ["https://100.63.255.255/", "100.63.255.255"],
    ["https://100.128.0.0/", "100.128.0.0"],
    ["https://172.15.255.255/", "172.15.255.255"],
    ["https://172.32.0.0/", "172.32.0.0"],
    ["https://192.0.1.1/", "192.0.1.1"],
    ["https://198.17.255.255/", "198.17.255.255"],
    ["https://198.20.0.0/", "198.20.0.0"],
    ["https://223.255.255.255/", "223.255.255.255"],
    ["https://[2606:4700:4700::1111]/hook", "2606:4700:4700::1111"],
    ["https://[2606:4700:4700::1111]:443/hook", "2606:4700:4700::1111"],
    ["https://[2a00:1450:4001:82b::200e]/", "2a00:1450:4001:82b::200e"],
    ["https://[2002:5db8:d70e::1]/", "2002:5db8:d70e::1"], // 6to4 of a public address
    ["https://[2001:200::1]/", "2001:200::1"], // just past 2001::/23
  ])("accepts the public literal %s", (url, host) => {
    expect(webhookTarget(url, DEV)).toEqual({ kind: "address", host });
  });
});

describe("webhookTarget: names", () => {
  it.each([
    ["https://localhost/x", "localhost is an internal or reserved name (.localhost)"],
    ["https://localhost./x", "localhost is an internal or reserved name (.localhost)"],
    ["https://LOCALHOST../x", "localhost is an internal or reserved name (.localhost)"],
    ["https://%6c%6fcalhost/x", "localhost is an internal or reserved name (.localhost)"],
    ["https://api.localhost/x", "api.localhost is an internal or reserved name (.localhost)"],
    ["https://box.localdomain/x", "box.localdomain is an internal or reserved name (.localdomain)"],
    ["https://printer.local/x", "printer.local is an internal or reserved name (.local)"],
    ["https://metadata.google.internal/x", "metadata.google.internal is an internal or reserved name (.internal)"],
    ["https://wiki.intranet/x", "wiki.intranet is an internal or reserved name (.intranet)"],
    ["https://nas.lan/x", "nas.lan is an internal or reserved name (.lan)"],
    ["https://router.home/x", "router.home is an internal or reserved name (.home)"],
    ["https://build.corp/x", "build.corp is an internal or reserved name (.corp)"],
    ["https://router.home.arpa/x", "router.home.arpa is an internal or reserved name (.arpa)"],
    ["https://1.0.0.127.in-addr.arpa/x", "1.0.0.127.in-addr.arpa is an internal or reserved name (.arpa)"],
    ["https://hooks.example.test/x", "hooks.example.test is an internal or reserved name (.test)"],
    ["https://x.invalid/x", "x.invalid is an internal or reserved name (.invalid)"],
    ["https://abcdefghijklmnop.onion/x", "abcdefghijklmnop.onion is an internal or reserved name (.onion)"],
    ["https://x.example/x", "x.example is an internal or reserved name (.example)"],
    ["https://intranet/x", "intranet is an internal or reserved name (.intranet)"],
    ["https://hooks/x", '"hooks" is a single-label name'],
    ["https://hooks./x", '"hooks" is a single-label name'],
  ])("refuses %s", (url, why) => {
    expect(webhookTarget(url, DEV)).toEqual({ kind: "refused", problem: `must be a public address: ${why}` });
  });

  it.each([
    ["https://a..b.com/x"],
    ["https://.a.com/x"],
    [`https://${"a".repeat(64)}.com/x`],
    [`https://${"abcdefghi.".repeat(26)}com/x`], // 263 characters
    ["https://a*b.com/x"],
  ])("refuses the malformed host name %s", (url) => {
    expect(webhookTarget(url, DEV)).toEqual({ kind: "refused", problem: "must have a valid host name" });
  });

  it.each([
    ["https://example.com/hooks/wbiz", "example.com"],
    ["https://EXAMPLE.com./x", "example.com"],
    ["https://example.com:443/x", "example.com"],
    ["https://bücher.example.com/x", "xn--bcher-kva.example.com"],
    ["https://xn--bcher-kva.example.com/x", "xn--bcher-kva.example.com"],
    // names that resolve to 127.0.0.1 pass the text rules: resolution refuses them
    ["https://127.0.0.1.nip.io/x", "127.0.0.1.nip.io"],
    ["https://localtest.me/x", "localtest.me"],
    ["https://my.localhost.example.com/x", "my.localhost.example.com"],
    ["https://api.test.com/x", "api.test.com"],
  ])("%s is a name to resolve", (url, host) => {
    expect(webhookTarget(url, DEV)).toEqual({ kind: "name", host });
  });
});

describe("webhookTarget: schemes, ports, credentials", () => {
  const PORT = "must not name a port other than 443";
  it.each([
    ["https://example.com:8443/x", `${PORT} (got 8443)`],
    ["https://example.com:80/x", `${PORT} (got 80)`],
    ["https://example.com:444/x", `${PORT} (got 444)`],
    ["https://93.184.215.14:8443/x", `${PORT} (got 8443)`],
    ["https://[2606:4700:4700::1111]:8443/x", `${PORT} (got 8443)`],
    ["http://example.com/hook", "must use https (http is allowed only to loopback in local development)"],
    ["http://10.0.0.1/hook", "must use https (http is allowed only to loopback in local development)"],
    ["ftp://example.com/hook", "must use https"],
    ["wss://example.com/hook", "must use https"],
    ["not a url", "must be an absolute URL"],
    ["https://", "must be an absolute URL"],
    ["https://1.2.3.4.5/", "must be an absolute URL"],
    ["https://user:pass@example.com/hook", "must not contain credentials"],
    ["https://user@example.com/hook", "must not contain credentials"],
  ])("refuses %s", (url, problem) => {
    const target = webhookTarget(url, DEV);
    expect(target.kind).toBe("refused");
    expect(target.kind === "refused" && target.problem).toMatch(new RegExp(`^${problem.replace(/[()]/g, "\\$&")}`));
  });

  it("says why a custom port is refused", () => {
    expect(webhookTarget("https://example.com:8443/x", DEV)).toEqual({
      kind: "refused",
      problem: "must not name a port other than 443 (got 8443): Cloudflare Workers ignore custom ports on https and always connect to 443",
    });
  });

  it.each([
    ["http://127.0.0.1:9999/hook", "127.0.0.1"],
    ["http://localhost:9999/hook", "localhost"],
    ["http://localhost./hook", "localhost"],
    ["http://api.localhost:8080/hook", "api.localhost"],
    ["http://[::1]:8080/hook", "::1"],
    ["http://127.0.0.2/hook", "127.0.0.2"],
  ])("local development: plain http to loopback %s, any port", (url, host) => {
    expect(webhookTarget(url, true)).toEqual({ kind: "loopback-http", host });
    expect(webhookTarget(url, false)).toEqual({ kind: "refused", problem: "must use https (http is allowed only to loopback in local development)" });
  });

  it("https to loopback stays refused in local development", () => {
    expect(webhookTarget("https://127.0.0.1/x", true).kind).toBe("refused");
    expect(webhookTarget("https://localhost/x", true).kind).toBe("refused");
  });
});

describe("addressProblem: DNS answers", () => {
  it.each([
    ["93.184.215.14", null],
    ["2606:4700:4700::1111", null],
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["::1", "loopback"],
    ["::ffff:7f00:1", "IPv4-mapped 127.0.0.1, loopback"],
    ["::ffff:127.0.0.1", "IPv4-mapped 127.0.0.1, loopback"],
    ["64:ff9b::a9fe:a9fe", "NAT64 169.254.169.254, cloud metadata"],
    ["2002:c0a8:101::", "6to4 192.168.1.1, private"],
    ["FE80::1", "link-local"],
    ["fd00::1", "unique local (private)"],
    ["1.2.3", "not an IP address"],
    ["256.1.1.1", "not an IP address"],
    ["example.com", "not an IP address"],
    ["", "not an IP address"],
  ])("%s → %s", (address, problem) => {
    expect(addressProblem(address)).toBe(problem);
  });
});

describe("parseIpv6", () => {
  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["1::", 1n << 112n],
    ["1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004_0005_0006_0007_0008n],
    ["1:2:3:4:5:6:1.2.3.4", 0x0001_0002_0003_0004_0005_0006_0102_0304n],
    ["::ffff:1.2.3.4", 0xffff_0102_0304n],
    ["::1.2.3.4", 0x0102_0304n],
    ["[2606:4700:4700::1111]", 0x2606_4700_4700_0000_0000_0000_0000_1111n],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1::2::3", null],
    ["12345::", null],
    [":1", null],
    ["1:", null],
    ["1:2:3:4:5:6:7", null],
    ["::ffff:1.2.3.256", null],
    ["::g", null],
    ["1.2.3.4", null],
  ])("%s → %s", (text, value) => {
    expect(parseIpv6(text)).toBe(value);
  });
});
