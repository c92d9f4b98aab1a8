import fc from "fast-check";

// Arbitraries for the robustness suite: hostile scalars, JSON that JSON.stringify cannot produce
// (1e999, deep nesting), near-valid bodies (a valid body with a few fields broken), junk headers and
// query strings. Everything a client can put on the wire, nothing a client cannot.

/** A JSON fragment written verbatim into the serialised body (numbers JSON.stringify can't write, deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
  toString() {
    return `RawJson(${this.text.length > 40 ? `${this.text.slice(0, 40)}… ${this.text.length} chars` : this.text})`;
  }
}

/** The body bytes for a generated value: JSON with RawJson fragments spliced in; a string is sent as is. */
export function serialise(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof RawJson ? `\u0001RAW${raws.push(v.text) - 1}\u0001` : v));
  if (text === undefined) return "";
  return text.replace(/"\\u0001RAW(\d+)\\u0001"/g, (_, i: string) => raws[Number(i)]!);
}

/** Strings that have broken parsers, SQL, URL handling or Unicode handling somewhere before. */
export const NASTY_STRINGS = [
  "", " ", "\u0000", "a\u0000b", "\ud800", "\udfff", "a\ud800b", "\ufeff", "\u202eabc", "\u200b", "\r\n", "\t", "\\", "'", '"', "`",
  "null", "undefined", "NaN", "Infinity", "-0", "1e999", "true", "[]", "{}", "0", "-1",
  "__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty",
  "%", "_", "%_%", "' OR '1'='1", "'); DROP TABLE contacts; --", "{{1}}", "{{ first_name }}", "${x}", "#{x}", "<script>alert(1)</script>",
  "../../etc/passwd", "😀😀😀", "👨‍👩‍👧‍👦", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", "नमस्ते", "مرحبا", "𝕏",
  "+", "+0", "+00000000", "+919812345678", "919812345678", "+91 98123 45678", "+1 (415) 555-0123", "+91-98123-45678", "0".repeat(30), "9".repeat(25),
  "wamid.HBgM", "65fc2e1b9a8b1c0d2e3f4a5b", "000000000000000000000000", "FFFFFFFFFFFFFFFFFFFFFFFF", "2026-04-28T17:42:12.108Z",
  "https://", "https://example.com", "http://127.0.0.1/", "https://10.0.0.1/x", "https://[::1]/", "https://user:pw@example.com/",
  "javascript:alert(1)", "data:text/plain,x", "file:///etc/passwd", "https://cdn.example.com/a.jpg",
  "image", "video", "document", "audio", "sticker", "buttons", "list", "text", "template", "body", "button", "header",
  "en_US", "en", "hi_IN", "order_shipped_v2", "spring_sale", "payment_reminder", "welcome_back", "book_visit",
  "navigate", "data_exchange", "approved", "APPROVED", "marketing", "open", "closed", "whatsapp",
  "message.sent", "message.read", "template.status_updated",
] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
const anyCodeUnit = fc.oneof({ weight: 8, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: loneSurrogate });

export const nastyString = fc.constantFrom(...NASTY_STRINGS);

/** Strings of arbitrary code units: any code point, and now and then a lone surrogate (JSON can carry one as \\udXXX). */
export const wildString = (minLength = 0, maxLength = 40) => fc.string({ unit: anyCodeUnit, minLength, maxLength });

/** Any string a JSON body can carry: ASCII, full Unicode, lone surrogates, graphemes, huge ones. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("x", "é", "न", "😀"), fc.integer({ min: 60, max: 5000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 80_000 }).map((n) => "x".repeat(n)) },
);

/** Numbers, including those JSON.stringify would never write (they reach JSON.parse as ±Infinity or lose precision). */
export const hostileNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e308, -1e308, 2 ** 53, -(2 ** 53), 2 ** 31, 5e-324, 90, -90, 180, -180, 90.0000001, -180.0000001),
  fc.constantFrom("1e999", "-1e999", "1E400", "123456789012345678901234567890", "0.00000000000000000000000000000000000001", "-0.0", "1.0").map((t) => new RawJson(t)),
);

/** Deeply nested arrays or objects: JSON.parse takes them, a recursive serialiser does not. */
export const deepNesting: fc.Arbitrary<RawJson> = fc
  .tuple(fc.integer({ min: 3_000, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) => new RawJson(arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));

const smallJson = fc.jsonValue({ maxDepth: 3, depthSize: "small" });

/** Any value a JSON body can hold, hostile ones favoured; `deep` adds nesting too deep for a recursive serialiser. */
function hostileValues(opts: { deep: boolean; huge: boolean }): fc.Arbitrary<unknown> {
  const str = opts.huge ? hostileString : hostileString.filter((s) => s.length < 10_000);
  return fc.oneof(
    { weight: 4, arbitrary: str },
    { weight: 3, arbitrary: hostileNumber },
    { weight: 2, arbitrary: fc.constantFrom(null, true, false) },
    { weight: 2, arbitrary: smallJson },
    { weight: 1, arbitrary: fc.array(str, { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.dictionary(hostileKey(), str, { maxKeys: 4 }) },
    ...(opts.deep ? [{ weight: 1, arbitrary: deepNesting as fc.Arbitrary<unknown> }] : []),
  );
}

export const hostileValue: fc.Arbitrary<unknown> = hostileValues({ deep: true, huge: true });

/** Hostile, but no deeper than Meta nests and no string over 10 000 characters (what Meta's webhooks can carry). */
export const plausibleHostileValue: fc.Arbitrary<unknown> = hostileValues({ deep: false, huge: false });

export function hostileKey(): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: nastyString }, { weight: 1, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 8 }) });
}

/** Bodies that are not JSON at all, or not quite. */
export const rawBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "{", "}", "[", "null", "true", "0", '"str"', '{"to":', "\ufeff{}", "{}garbage", '{"a":1,}', "{'a':1}", "NaN", "[1,2", '{"__proto__":{"x":1}}', "{}{}", " ", "\u0000", "undefined"),
  fc.string({ maxLength: 60 }),
  fc.string({ unit: anyCodeUnit, maxLength: 60 }),
  fc.json({ maxDepth: 2 }).chain((json) => fc.nat(json.length).map((n) => json.slice(0, n))),
);

// ---- near-valid bodies ------------------------------------------------------------------------------

/** Descend by `path` (an index into the keys at each level), then apply `op` to the key at index `at`. */
type Mutation = { op: "drop" | "replace" | "add" | "null"; path: number[]; at: number; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("drop", "replace", "replace", "add", "null"),
  path: fc.array(fc.nat(), { maxLength: 3 }),
  at: fc.nat(),
  key: hostileKey(),
  value: hostileValue,
});

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] => typeof v === "object" && v !== null && !(v instanceof RawJson);

/** A deep copy that keeps RawJson fragments (structuredClone would turn them into plain objects) and own __proto__ keys. */
function clone(v: unknown): unknown {
  if (!isContainer(v)) return v;
  if (Array.isArray(v)) return v.map(clone);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
}

/** A copy of `value` with one mutation applied at a position chosen by `path` (indexes into keys, level by level). */
function applyMutation(value: unknown, m: Mutation): unknown {
  const root = clone(value);
  let parent: unknown = root;
  const steps = [...m.path];
  let target: Record<string, unknown> | unknown[] | null = isContainer(parent) ? parent : null;
  while (target && steps.length > 0) {
    const keys = Object.keys(target);
    if (keys.length === 0) break;
    const key = keys[steps.shift()! % keys.length]!;
    const child = (target as Record<string, unknown>)[key];
    if (!isContainer(child)) break;
    target = child;
  }
  parent = target;
  if (!isContainer(parent)) return m.op === "drop" ? undefined : m.value;
  const keys = Object.keys(parent);
  const existing = keys.length ? keys[m.at % keys.length]! : undefined;
  const rec = parent as Record<string, unknown>;
  switch (m.op) {
    case "drop":
      if (existing === undefined) break;
      if (Array.isArray(parent)) parent.splice(Number(existing), 1);
      else delete rec[existing];
      break;
    case "replace":
      if (existing !== undefined) rec[existing] = m.value;
      else if (Array.isArray(parent)) parent.push(m.value);
      else rec[m.key] = m.value;
      break;
    case "null":
      if (existing !== undefined) rec[existing] = null;
      break;
    case "add":
      if (Array.isArray(parent)) parent.push(m.value);
      else Object.defineProperty(rec, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      break;
  }
  return root;
}

/** A valid body, that body with 1–3 fields broken (at any depth), arbitrary JSON, or not JSON at all. */
export function bodyVariants(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ kind: "json"; value: unknown } | { kind: "raw"; text: string } | { kind: "none" }> {
  return fc.oneof(
    { weight: 8, arbitrary: valid.map((value) => ({ kind: "json" as const, value })) },
    {
      weight: 7,
      arbitrary: fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([value, ms]) => ({ kind: "json" as const, value: ms.reduce<unknown>((v, m) => applyMutation(v, m), value) })),
    },
    { weight: 2, arbitrary: hostileValue.map((value) => ({ kind: "json" as const, value })) },
    { weight: 1, arbitrary: fc.dictionary(hostileKey(), hostileValue, { maxKeys: 6 }).map((value) => ({ kind: "json" as const, value })) },
    { weight: 1, arbitrary: rawBodyText.map((text) => ({ kind: "raw" as const, text })) },
    { weight: 1, arbitrary: fc.constant({ kind: "none" as const }) },
  );
}

// ---- headers and query strings ---------------------------------------------------------------------

/** A header value (printable ASCII: workerd re-encodes Latin-1 as UTF-8 and warns about it). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((n) => String.fromCharCode(n)), maxLength: 40 }),
  fc.integer({ min: 200, max: 400 }).map((n) => "k".repeat(n)),
);

export const AUTH_VARIANTS = ["valid", "none", "scheme-only", "basic", "lowercase-bearer", "extra-spaces", "bad-checksum", "malformed", "revoked", "limited-scope", "admin-token", "junk"] as const;
export type AuthVariant = (typeof AUTH_VARIANTS)[number];

export const authVariant: fc.Arbitrary<{ variant: AuthVariant; junk: string }> = fc.record({
  variant: fc.oneof({ weight: 14, arbitrary: fc.constant<AuthVariant>("valid") }, { weight: 1, arbitrary: fc.constantFrom(...AUTH_VARIANTS) }),
  junk: headerValue,
});

export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 16, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      null, "application/json; charset=utf-8", "APPLICATION/JSON", "application/vnd.api+json", "application/merge-patch+json", "application/json;", "text/plain",
      "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "", "*/*", "application/json, text/plain", "application/jsonx",
      "json", "application/json; charset=latin1; x=y",
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

export const idempotencyKey: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom("fuzz-key-1", "fuzz-key-2") },
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((n) => String.fromCharCode(n)), minLength: 1, maxLength: 300 }) },
  { weight: 1, arbitrary: headerValue },
);

export const prefer: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(null) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "respond-async", "wait=0", "wait=1", "wait=99999999999999999999", "wait=-1", "wait=1.5", "respond-async, wait=1", "RESPOND-ASYNC", "handling=lenient",
      "return=minimal", "wait=", ",,,", "wait = 0", "respond-async;x=1",
    ),
  },
  { weight: 1, arbitrary: headerValue },
);

export const numberish = fc.constantFrom("0", "1", "2", "25", "50", "100", "101", "200", "201", "-1", "1.5", "1e2", " 5", "5 ", "0x10", "00010", "９", "NaN", "Infinity", "", "99999999999999999999999");

/** A query string: known parameters with valid or junk values, unknown ones, repeats, and broken percent-encoding. */
export function queryString(known: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(known);
  const param = fc.oneof(
    ...(names.length
      ? [
          {
            weight: 6,
            arbitrary: fc.constantFrom(...names).chain((name) =>
              fc.tuple(fc.constant(name), fc.oneof({ weight: 3, arbitrary: known[name]! }, { weight: 1, arbitrary: numberish }, { weight: 1, arbitrary: hostileString.filter((s) => s.length < 300) })),
            ),
          },
        ]
      : []),
    { weight: 1, arbitrary: fc.tuple(hostileKey(), fc.oneof(numberish, nastyString)) },
  );
  return fc
    .tuple(fc.array(param, { maxLength: 5 }), fc.oneof({ weight: 6, arbitrary: fc.constant("") }, { weight: 1, arbitrary: fc.constantFrom("&%", "&limit=%zz", "&%E0%A4%A", "&x=%00", "&=", "&&&", "&cursor", "&limit=1&limit=2", "&%F0%9F%98", "&a[]=1&a[]=2") }))
    .map(([params, tail]) => {
      const search = new URLSearchParams();
      for (const [k, v] of params) search.append(toWellFormed(k), toWellFormed(v));
      const s = search.toString() + tail;
      return s ? `?${s.replace(/^&/, "")}` : "";
    });
}

/** URLSearchParams and encodeURIComponent refuse lone surrogates; a real client would have sent U+FFFD. */
export function toWellFormed(s: string): string {
  return s.toWellFormed();
}

/** A path segment for an {id}: known ids (own and foreign), random hex ids, junk, and raw broken escapes. */
export function pathId(known: fc.Arbitrary<string>, foreign: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: known },
    { weight: 2, arbitrary: foreign },
    { weight: 2, arbitrary: fc.stringMatching(/^[0-9a-f]{24}$/) },
    { weight: 2, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 3000 && s !== "." && s !== "..").map((s) => encodeURIComponent(toWellFormed(s))) },
    { weight: 1, arbitrary: fc.constantFrom("%zz", "%E0%A4%A", "%", "%00", "a%2Fb", "%252F", "%C0%AF", "%F0%9F%98%80", "null", "undefined", "0", "-1", "65FC2E1B9A8B1C0D2E3F4A5B", " 65fc2e1b9a8b1c0d2e3f4a5b".replace(" ", "%20")) },
  );
}

// ---- paths no route serves -------------------------------------------------------------------------

/**
 * A served route (as "METHOD /v1/contacts/{id}") with its {params} filled, one to three slashes
 * appended, sent with its own method or another one, and perhaps a query string.
 */
export function trailingSlashRequest(routes: string[]): fc.Arbitrary<{ method: string; path: string; query: string }> {
  return fc
    .tuple(
      fc.constantFrom(...routes),
      fc.array(pathId(fc.stringMatching(/^[0-9a-f]{24}$/), fc.constant("0000000000000000000000ff")), { minLength: 3, maxLength: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom("GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS") }),
      fc.oneof({ weight: 4, arbitrary: fc.constant("") }, { weight: 1, arbitrary: queryString({ limit: numberish }) }),
    )
    .map(([route, ids, slashes, otherMethod, query]) => {
      const [method, template] = route.split(" ") as [string, string];
      let i = 0;
      const path = template.replace(/\{[^}]+\}/g, () => ids[i++]!) + "/".repeat(slashes);
      return { method: otherMethod ?? method, path, query };
    });
}

// ---- webhook URLs that must never be stored ------------------------------------------------------------

/**
 * Host names the fuzzers' DNS resolver answers with addresses no webhook may reach (configured by
 * createFuzzContext through the test receiver): every spelling of them must be refused.
 */
export const PRIVATE_HOSTS: ReadonlyArray<{ name: string; A?: string[]; AAAA?: string[] }> = [
  { name: "loopback.fuzz-dns.example.net", A: ["127.0.0.1"] },
  { name: "metadata.fuzz-dns.example.net", A: ["169.254.169.254"] },
  { name: "rfc1918.fuzz-dns.example.net", A: ["10.20.30.40"] },
  { name: "cgnat.fuzz-dns.example.net", A: ["100.64.0.9"] },
  { name: "zero.fuzz-dns.example.net", A: ["0.0.0.0"] },
  { name: "mixed.fuzz-dns.example.net", A: ["93.184.215.14", "192.168.1.1"] },
  { name: "v6-loopback.fuzz-dns.example.net", AAAA: ["::1"] },
  { name: "v6-ula.fuzz-dns.example.net", AAAA: ["fd00::1"] },
  { name: "v6-mapped.fuzz-dns.example.net", AAAA: ["::ffff:7f00:1"] },
  { name: "v6-nat64.fuzz-dns.example.net", AAAA: ["64:ff9b::a00:1"] },
  { name: "v6-6to4.fuzz-dns.example.net", AAAA: ["2002:a9fe:a9fe::"] },
  { name: "dual.fuzz-dns.example.net", A: ["93.184.215.14"], AAAA: ["fe80::1"] },
];

/** One of PRIVATE_HOSTS as a client might spell it: any case, trailing dots, an explicit :443, any path. */
export const privateHostUrl: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...PRIVATE_HOSTS.map((h) => h.name)),
    fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    fc.constantFrom("", ".", ".."),
    fc.constantFrom("", ":443"),
    fc.constantFrom("/hook", "/", "", "/a/b?c=d", "/%2e%2e/x"),
  )
  .map(([name, upper, dots, port, path]) => `https://${[...name].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch)).join("")}${dots}${port}${path}`);

/** Private and loopback addresses written every way the URL parser accepts, and ports other than 443. */
export const privateLiteralUrl: fc.Arbitrary<string> = fc.constantFrom(
  "https://0x7f.1/x", "https://2130706433/x", "https://127.1/x", "https://0177.0.0.1/x", "https://127.0.0.1./x", "https://[::ffff:127.0.0.1]/x",
  "https://[::ffff:a9fe:a9fe]/x", "https://[64:ff9b::a9fe:a9fe]/x", "https://[2002:a9fe:a9fe::1]/x", "https://[fd00:ec2::254]/x", "https://[fe80::1]/x",
  "https://192.0.0.1/", "https://198.18.0.1/", "https://100.64.0.1/", "https://0.0.0.0/", "https://255.255.255.255/", "https://[::]/",
  "https://localhost./x", "https://LOCALHOST../x", "https://api.localhost/x", "https://metadata.google.internal/x", "https://router.home.arpa/x",
  "https://hooks.example.test/x", "https://x.onion/x", "https://hooks/x", "https://example.com:8443/x", "https://93.184.215.14:8080/x",
);
