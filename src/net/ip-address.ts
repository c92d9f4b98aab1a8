// IP addresses as numbers, and which of them a webhook may never reach: every block of the IANA IPv4
// and IPv6 Special-Purpose Address Registries (RFC 6890 and later) plus the cloud metadata addresses.
// Pure: the URL policy uses it on literals, delivery on what a name resolves to.

export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

/** Strict dotted decimal, as DNS answers and the URL parser write it ("127.0.0.1"), else null. */
export function parseIpv4(text: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((n) => n > 255)) return null;
  return parts.reduce((acc, n) => acc * 256 + n, 0);
}

/** An IPv6 address, with or without brackets, "::" compression and a dotted IPv4 tail; else null. */
export function parseIpv6(text: string): bigint | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(":")) return null;
  let tail: number[] = [];
  if (s.includes(".")) {
    // a dotted IPv4 tail is the last two groups: "::ffff:1.2.3.4", "::1.2.3.4"
    const at = s.lastIndexOf(":");
    const embedded = parseIpv4(s.slice(at + 1));
    if (embedded === null) return null;
    tail = [Math.floor(embedded / 65536), embedded % 65536];
    s = s.endsWith("::", at + 1) ? s.slice(0, at + 1) : s.slice(0, at);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const words = [...head.map((g) => parseInt(g, 16)), ...Array<number>(8 - given).fill(0), ...rest.map((g) => parseInt(g, 16)), ...tail];
  return words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n);
}

export function parseIp(text: string): IpAddress | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === null ? null : { family: 6, value: v6 };
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

type V4Block = { base: number; bits: number; label: string };
type V6Block = { base: bigint; bits: number; label: string };

const v4 = (cidr: string, label: string): V4Block => {
  const [base, bits] = cidr.split("/") as [string, string];
  return { base: parseIpv4(base)!, bits: Number(bits), label };
};
const v6 = (cidr: string, label: string): V6Block => {
  const [base, bits] = cidr.split("/") as [string, string];
  return { base: parseIpv6(base)!, bits: Number(bits), label };
};

// Most specific first, so 169.254.169.254 is named as metadata rather than link-local.
const V4_BLOCKS: V4Block[] = [
  v4("169.254.169.254/32", "cloud metadata"),
  v4("100.100.100.200/32", "cloud metadata"),
  v4("255.255.255.255/32", "broadcast"),
  v4("0.0.0.0/8", "this network"),
  v4("10.0.0.0/8", "private"),
  v4("100.64.0.0/10", "CGNAT"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "IETF protocol assignments"),
  v4("192.0.2.0/24", "documentation"),
  v4("192.88.99.0/24", "6to4 relay anycast"),
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "benchmarking"),
  v4("198.51.100.0/24", "documentation"),
  v4("203.0.113.0/24", "documentation"),
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved"),
];

const inV4 = (value: number, b: V4Block) => Math.floor(value / 2 ** (32 - b.bits)) === Math.floor(b.base / 2 ** (32 - b.bits));
const inV6 = (value: bigint, b: V6Block) => value >> BigInt(128 - b.bits) === b.base >> BigInt(128 - b.bits);

/** Why an IPv4 address is not public, or null when it is. */
export function ipv4Problem(value: number): string | null {
  return V4_BLOCKS.find((b) => inV4(value, b))?.label ?? null;
}

// Forms that carry an IPv4 address in their low bits (or, for 6to4, bits 16–47): judged by that address.
const EMBEDDING: Array<{ block: V6Block; v4At: number }> = [
  { block: v6("::ffff:0:0/96", "IPv4-mapped"), v4At: 0 },
  { block: v6("64:ff9b::/96", "NAT64"), v4At: 0 },
  { block: v6("2002::/16", "6to4"), v4At: 80 },
  { block: v6("::/96", "IPv4-compatible"), v4At: 0 },
];

const V6_BLOCKS: V6Block[] = [
  v6("::/128", "unspecified"),
  v6("::1/128", "loopback"),
  v6("fd00:ec2::254/128", "cloud metadata"),
  v6("64:ff9b:1::/48", "NAT64 local use"),
  v6("100::/64", "discard-only"),
  v6("2001:db8::/32", "documentation"),
  v6("2001::/23", "IETF protocol assignments"),
  v6("3fff::/20", "documentation"),
  v6("fc00::/7", "unique local (private)"),
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "site-local"),
  v6("ff00::/8", "multicast"),
];

const GLOBAL_UNICAST = v6("2000::/3", "global unicast");

/** Why an IPv6 address is not public, or null when it is. Only 2000::/3 is ever public. */
export function ipv6Problem(value: bigint): string | null {
  const exact = V6_BLOCKS.find((b) => b.bits === 128 && inV6(value, b));
  if (exact) return exact.label;
  for (const { block, v4At } of EMBEDDING) {
    if (!inV6(value, block)) continue;
    const embedded = Number((value >> BigInt(v4At)) & 0xffffffffn);
    const problem = ipv4Problem(embedded);
    if (problem) return `${block.label} ${formatIpv4(embedded)}, ${problem}`;
  }
  const block = V6_BLOCKS.find((b) => inV6(value, b));
  if (block) return block.label;
  return inV6(value, GLOBAL_UNICAST) ? null : "outside global unicast 2000::/3";
}

/** Why this address (text, as in a DNS answer or a URL) may not be connected to, or null when it is public. */
export function addressProblem(text: string): string | null {
  const ip = parseIp(text);
  if (!ip) return "not an IP address";
  return ip.family === 4 ? ipv4Problem(ip.value) : ipv6Problem(ip.value);
}
