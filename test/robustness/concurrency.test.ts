import { afterEach, describe, expect, it, vi } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends, emulatorSettings } from "../helpers/emulator";
import { createMessagingTenant } from "../helpers/messaging";
import { createTenant } from "../helpers/tenant";
import { wabaSql } from "../helpers/waba";
import { expectAcceptedOnce, numberOf, openWindows, outbound, recipients, sendNumbered, settled } from "./sends";

// Many requests on one key at the same moment: nothing lost, nothing doubled, every answer one the
// client can act on. Tenants are on the scale plan unless a test is about the limits.

/** A count in the tenant's WABA object (its tables hold only its rows). */
const count = async (t: { waba: { id: string } }, sql: string) => (await wabaSql<{ n: number }>(t, sql))[0]!.n;

describe("parallel sends on one key", () => {
  it("100 sends at once: each answered, stored once, accepted by Meta once with its own content; one conversation per recipient", async () => {
    const t = await createMessagingTenant();
    await emulatorSettings(t.metaWabaId, { mpsLimit: 100_000 }); // Meta's throughput limit is not the subject here
    // 10 recipients who wrote (texts and templates) and 15 who never did (templates): the send creates their contact
    const open = await openWindows(t, 10, 5);
    const fresh = recipients(15, 6);
    const to = [...open, ...fresh];

    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => sendNumbered(t, i, to[i % 25]!, { text: i % 25 < 10 })));
    const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await jsonOf(r) })));
    expect(answers.filter((a) => a.status !== 200 && a.status !== 202)).toEqual([]);

    const rows = await settled(t, 100);
    expect(rows.filter((r) => r.status !== "sent")).toEqual([]);
    expect(new Set(rows.map((r) => r.wamid)).size).toBe(100);
    const stored = new Set(rows.map((r) => r.wamid));
    for (const a of answers.filter((a) => a.status === 200)) expect(stored).toContain(a.body.wamid);
    const accepted = await expectAcceptedOnce(t, rows);
    // each stored message is the request that made it, sent to its recipient: no crossed wires between requests
    for (const row of rows) {
      const i = numberOf(accepted.get(row.id)!);
      expect(row.to).toBe(to[i % 25]);
      expect(row.body).toBe(row.kind === "text" ? `message ${i}` : `Hi Aarav! Order #${i} ships today.`);
    }
    expect([...accepted.values()].map(numberOf).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));

    // one contact and one conversation per recipient, however many sends raced to create them
    expect(await count(t, `SELECT count(*) AS n FROM contacts`)).toBe(25);
    const conversations = await wabaSql<{ phone: string; lastMessageAt: number; sends: number }>(
      t,
      `SELECT c.phone, v.last_message_at AS lastMessageAt, (SELECT count(*) FROM messages m WHERE m.conversation_id = v.id AND m.direction = 'outbound') AS sends
         FROM conversations v JOIN contacts c ON c.id = v.contact_id`,
    );
    expect(conversations.map((c) => c.phone).sort()).toEqual([...to].sort());
    expect(conversations.every((c) => c.sends === 4)).toBe(true);
    // lastMessageAt is the conversation list's cursor: unique, so no page skips or repeats one
    expect(new Set(conversations.map((c) => c.lastMessageAt)).size).toBe(25);
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ contact: { phone: string } }>; nextCursor: string | null } = await jsonOf(
        await api(`/v1/conversations?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { key: t.secret }),
      );
      listed.push(...page.data.map((c) => c.contact.phone));
      cursor = page.nextCursor;
    } while (cursor);
    expect(listed.sort()).toEqual([...to].sort());
  }, 60_000);

  it("a client retrying in parallel with one Idempotency-Key makes one message: the others are told it is in use or get the same answer", async () => {
    const t = await createMessagingTenant();
    const [to] = await openWindows(t, 1, 7);
    const keys = Array.from({ length: 10 }, (_, i) => `order-${i}`);
    const tries = keys.flatMap((key, i) => Array.from({ length: 3 }, () => ({ key, i })));
    const answers = await Promise.all(
      tries.map(async ({ key, i }) => {
        const res = await sendNumbered(t, i * 2, to!, { headers: { "Idempotency-Key": key } });
        return { key, status: res.status, replayed: res.headers.get("Idempotent-Replayed") === "true", body: await jsonOf(res) };
      }),
    );
    for (const key of keys) {
      const mine = answers.filter((a) => a.key === key);
      const original = mine.filter((a) => !a.replayed && a.status !== 409);
      expect(original, key).toHaveLength(1);
      expect([200, 202]).toContain(original[0]!.status);
      for (const other of mine.filter((a) => a !== original[0])) {
        if (other.status === 409) expect(other.body.error.code).toBe("IDEMPOTENCY_KEY_IN_USE");
        else expect(other).toMatchObject({ replayed: true, status: original[0]!.status, body: original[0]!.body });
      }
    }
    const rows = await settled(t, 10);
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    await expectAcceptedOnce(t, rows);
  }, 60_000);
});

describe("concurrent contact upserts", () => {
  it("the same phones in different spellings mixed with distinct phones: one row, and exactly one answer saying it created it, per phone", async () => {
    const t = await createTenant();
    const repeated = recipients(15, 8);
    const spellings = (e164: string) => {
      const [cc, a, b] = [e164.slice(1, 3), e164.slice(3, 8), e164.slice(8)];
      return [e164, `+${cc} ${a} ${b}`, `+${cc}-${a}-${b}`, `+${cc} (${a}) ${b}`, `+${cc}.${a}.${b}`];
    };
    const distinct = recipients(25, 9);
    const requests = [...repeated.flatMap((phone) => spellings(phone).map((spelling) => ({ phone, spelling }))), ...distinct.map((phone) => ({ phone, spelling: phone }))];
    // interleave, so each phone's spellings race with the others' and with the distinct ones
    const order = requests.map((r, i) => ({ r, k: (i * 37) % requests.length })).sort((x, y) => x.k - y.k).map((x) => x.r);

    const answers = await Promise.all(
      order.map(async ({ phone, spelling }, i) => {
        const res = await api("/v1/contacts", { method: "POST", key: t.secret, json: { phone: spelling, name: `Caller ${i}`, tags: [`t${i}`] } });
        return { phone, status: res.status, created: res.headers.get("WBIZ-Contact-Created") === "true", body: await jsonOf(res) };
      }),
    );
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    for (const phone of [...repeated, ...distinct]) {
      const mine = answers.filter((a) => a.phone === phone);
      const created = mine.filter((a) => a.created);
      expect(created, phone).toHaveLength(1);
      expect(created[0]!.body.phone).toBe(phone);
      // everyone else got the contact as created, untouched by their own name and tags
      for (const other of mine) expect(other.body).toEqual(created[0]!.body);
    }

    const rows = await wabaSql<{ id: string; phone: string; name: string }>(t, `SELECT id, phone, name FROM contacts`);
    expect(rows.map((r) => r.phone).sort()).toEqual([...repeated, ...distinct].sort());
    const winners = new Map(answers.filter((a) => a.created).map((a) => [a.body.id as string, a.body]));
    for (const row of rows) expect(winners.get(row.id)).toMatchObject({ phone: row.phone, name: row.name });
    // only the creating request's tags were written
    expect(await count(t, `SELECT count(*) AS n FROM contact_tags`)).toBe(40);
  }, 60_000);
});

describe("a rate-limit flood on one key across routes", () => {
  // windows are aligned to the UTC clock: pin it so the flood cannot straddle a window boundary
  const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
  afterEach(() => vi.useRealTimers());

  it("admits exactly the burst across reads, contact writes and sends; every 429 says when to retry; refused writes leave no trace", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const t = await createMessagingTenant({ plan: "growth" }); // 120 per 10 s burst, 600 a minute
    // 40 calls of each route (2× the burst in all), each write with a phone of its own
    const contactPhones = recipients(41, 3);
    const sendPhones = recipients(41, 4);
    const routes = [
      () => api("/v1/key", { key: t.secret }),
      () => api("/v1/contacts?limit=5", { key: t.secret }),
      (i: number) => api("/v1/contacts", { method: "POST", key: t.secret, json: { phone: contactPhones[i] } }),
      () => api("/v1/templates", { key: t.secret }),
      () => api("/v1/conversations", { key: t.secret }),
      (i: number) => sendNumbered(t, i * 2 + 1, sendPhones[i]!, { text: false }),
    ];
    // what each route answers when admitted (a send may also answer 202 if Meta is slower than the wait budget)
    const SUCCESS = [[200], [200], [200], [200], [200], [200, 202]];

    // round-robin, so every route competes for the same quota
    const calls = Array.from({ length: 240 }, (_, n) => ({ route: n % 6, i: Math.floor(n / 6) }));
    const answers = await Promise.all(
      calls.map(async ({ route, i }) => {
        const res = await routes[route]!(i);
        return { route, i, status: res.status, retryAfter: res.headers.get("Retry-After"), remaining: res.headers.get("X-RateLimit-Remaining"), body: await jsonOf(res) };
      }),
    );
    const admitted = answers.filter((a) => a.status !== 429);
    expect(admitted).toHaveLength(120);
    for (const a of admitted) expect(SUCCESS[a.route], `route ${a.route}`).toContain(a.status);
    const refused = answers.filter((a) => a.status === 429);
    for (const a of refused) expect(a).toMatchObject({ retryAfter: "10", remaining: "0", body: { error: { code: "RATE_LIMITED" } } });

    // what was admitted happened once; what was refused did not happen at all
    const createdContacts = admitted.filter((a) => a.route === 2).map((a) => contactPhones[a.i]!);
    const sends = admitted.filter((a) => a.route === 5).map((a) => sendPhones[a.i]!);
    const phones = async () => (await wabaSql<{ phone: string }>(t, `SELECT phone FROM contacts`)).map((r) => r.phone);
    expect((await phones()).sort()).toEqual([...createdContacts, ...sends].sort());
    const rows = await settled(t, sends.length);
    expect(rows.map((r) => r.to).sort()).toEqual([...sends].sort());
    await expectAcceptedOnce(t, rows);

    // after Retry-After, every route admits again
    vi.setSystemTime(T0 + 10_000);
    const again = await Promise.all(routes.map((call) => call(40)));
    again.forEach((res, route) => expect(SUCCESS[route], `route ${route}`).toContain(res.status));
    expect(await phones()).toContain(contactPhones[40]);
    await settled(t, sends.length + 1);
  }, 60_000);
});

describe("the 10-endpoint cap under concurrent creates", () => {
  it("20 creates at once on a fresh WABA: exactly 10 stored, 10 answered 201 and 10 answered 400", async () => {
    const t = await createTenant();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api("/v1/webhooks", { key: t.secret, method: "POST", json: { url: `https://example.com/cap/${i}`, events: ["message.read"] } })),
    );
    const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await jsonOf(r) })));
    const created = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 400);
    expect(created).toHaveLength(10);
    expect(refused).toHaveLength(10);
    for (const a of refused) expect(a.body.error).toMatchObject({ code: "VALIDATION_FAILED", message: "A WABA can have at most 10 webhook endpoints" });
    expect(await count(t, `SELECT count(*) AS n FROM webhook_endpoints`)).toBe(10);
    const stored = (await wabaSql<{ id: string }>(t, `SELECT id FROM webhook_endpoints`)).map((r) => r.id);
    expect(stored.sort()).toEqual(created.map((a) => a.body.id).sort());
  });
});
