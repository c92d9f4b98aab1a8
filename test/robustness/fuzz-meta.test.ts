import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetaEventJob } from "../../src/queues/meta-event-job";
import { recordMessage } from "../../src/data-plane/messages";
import { jsonOf } from "../helpers/api";
import { runQueue } from "../helpers/queues";
import { createMessagingTenant } from "../helpers/messaging";
import { postMetaWebhook } from "../helpers/meta-webhook";
import { inWaba, wabaSql } from "../helpers/waba";
import { hostileString, plausibleHostileValue, serialise } from "./generators";
import { createFuzzContext, fuzzRoute, printTally, type FuzzContext } from "./fuzz";
import { assertProperty, call, contractFor, expectDocumented, expectUnchanged, fc, fcParams, snapshot, type Answer } from "./harness";
import { META_SPECS } from "./route-specs";

// Meta → WBIZ: the webhook route (signed and unsigned junk), and the meta-events consumer fed with
// near-valid changes for a real WABA: it must never throw (a throw means retries, then the change is
// dead-lettered and lost), must be idempotent, and must leave data the read routes can serve.

const RUNS = 80;

/** Runs the meta-events consumer on these jobs as the queue would; returns what it did with them. */
const consume = (jobs: MetaEventJob[]) => runQueue("wbiz-meta-events", jobs);

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const plausibleString = hostileString.filter((s) => s.length < 10_000);
const sometimes = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: plausibleHostileValue });

describe("fuzzing Meta's webhook", () => {
  let ctx: FuzzContext;
  beforeAll(async () => {
    ctx = await createFuzzContext({ webhook: true });
  }, 60_000);
  afterAll(printTally);

  for (const spec of META_SPECS) {
    it(`${spec.method} ${spec.path}`, () => fuzzRoute(spec, ctx, RUNS), 180_000);
  }

  it("the meta-events consumer takes any change for a real WABA without throwing, idempotently, and what it stores can be read", async () => {
    // each run gets a fresh tenant (what one run stores must not be blamed on the next), so the
    // generators write placeholders that are filled in per run
    const KNOWN_WAMID = "wamid.KNOWN";
    const CALLBACK = "CALLBACK_ID";
    const PHONE = "PHONE_ID";
    const TEMPLATE_ID = "TEMPLATE_ID";
    let seq = 0;
    const wamid = fc.oneof({ weight: 3, arbitrary: fc.constant(KNOWN_WAMID) }, { weight: 2, arbitrary: fc.nat().map((n) => `wamid.fuzz-${n}`) }, { weight: 1, arbitrary: plausibleString });
    const status = fc.record(
      {
        id: wamid,
        status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom("sent", "delivered", "read", "played", "failed") }, { weight: 1, arbitrary: plausibleString }),
        timestamp: opt(sometimes(fc.nat().map(String))),
        recipient_id: opt(sometimes(fc.constant("919812345678"))),
        biz_opaque_callback_data: opt(sometimes(fc.constant(CALLBACK))),
        recipient_user_id: opt(sometimes(fc.constantFrom("US.13491208655302741918", "uUS.1", ""))),
        errors: opt(sometimes(fc.array(fc.record({ code: sometimes(fc.oneof(fc.integer(), fc.integer({ min: 0, max: 999_999 }).map(String), fc.constantFrom("132015", "99999999999999999999"))), title: opt(plausibleString), message: opt(plausibleString), error_data: opt(sometimes(fc.record({ details: opt(plausibleString) }))) }), { maxLength: 2 }))),
      },
      { requiredKeys: ["id", "status"] },
    );
    const message = fc.record(
      {
        from: opt(
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom("919812345678", "14155550123", "919900000002", "5215512343852", "551187654321") },
            { weight: 1, arbitrary: fc.stringMatching(/^\d{5,20}$/) },
            { weight: 1, arbitrary: plausibleString },
          ),
        ),
        from_user_id: opt(fc.constantFrom("US.13491208655302741918", "BR.1502576394655843", "uUS.1349")),
        id: fc.constant(null).map(() => `wamid.in-${++seq}-${crypto.randomUUID()}`),
        timestamp: fc.oneof(
          { weight: 4, arbitrary: fc.constant(null).map(() => String(Math.floor(Date.now() / 1000))) },
          { weight: 1, arbitrary: fc.stringMatching(/^\d{1,16}$/) },
          // out of range: far future, far past, beyond a safe integer
          { weight: 1, arbitrary: fc.constantFrom("99999999999999", "9".repeat(40), "0", "1", "253402300800", "8640000000001") },
          { weight: 1, arbitrary: plausibleString },
        ),
        type: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom("text", "image", "document", "interactive", "button", "location", "reaction", "unsupported", "order") },
          { weight: 1, arbitrary: fc.constantFrom("system", "edit", "revoke") },
          { weight: 1, arbitrary: plausibleString },
        ),
        system: opt(sometimes(fc.record({ type: fc.constantFrom("user_changed_number", "user_changed_user_id", "other"), wa_id: opt(fc.constantFrom("919800000000", "x")), user_id: opt(plausibleString), previous_user_id: opt(plausibleString) }))),
        edit: opt(sometimes(fc.record({ original_message_id: fc.oneof(fc.constant(KNOWN_WAMID), plausibleString), message: sometimes(fc.record({ type: fc.constant("text"), text: opt(plausibleHostileValue) })) }))),
        revoke: opt(sometimes(fc.record({ original_message_id: fc.oneof(fc.constant(KNOWN_WAMID), plausibleString) }))),
        text: opt(sometimes(fc.record({ body: sometimes(fc.oneof(plausibleString, fc.constantFrom("STOP", "start", " Unsubscribe "))) }))),
        image: opt(sometimes(fc.record({ caption: opt(plausibleHostileValue), id: opt(plausibleHostileValue) }))),
        document: opt(sometimes(fc.record({ caption: opt(plausibleHostileValue), filename: opt(plausibleHostileValue) }))),
        interactive: opt(sometimes(fc.record({ button_reply: opt(sometimes(fc.record({ id: plausibleString, title: plausibleHostileValue }))), list_reply: opt(plausibleHostileValue) }))),
        button: opt(sometimes(fc.record({ text: plausibleHostileValue, payload: opt(plausibleHostileValue) }))),
        location: opt(sometimes(fc.record({ latitude: plausibleHostileValue, longitude: plausibleHostileValue, name: opt(plausibleHostileValue), address: opt(plausibleHostileValue) }))),
        reaction: opt(sometimes(fc.record({ message_id: plausibleString, emoji: opt(plausibleHostileValue) }))),
        context: opt(plausibleHostileValue),
      },
      { requiredKeys: ["id", "timestamp", "type"] },
    );
    const contact = sometimes(
      fc.record(
        { wa_id: fc.constantFrom("919812345678", "14155550123"), user_id: opt(fc.constantFrom("US.13491208655302741918", "x y")), profile: sometimes(fc.record({ name: plausibleHostileValue, username: opt(plausibleHostileValue) })) },
        { requiredKeys: [] },
      ),
    );
    const change = fc.record({
      field: fc.oneof(
        { weight: 6, arbitrary: fc.constant("messages") },
        { weight: 1, arbitrary: fc.constantFrom("message_template_status_update", "template_category_update", "user_preferences") },
        { weight: 1, arbitrary: plausibleString },
      ),
      value: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record(
            {
              messaging_product: fc.constant("whatsapp"),
              metadata: sometimes(fc.record({ display_phone_number: fc.constant("15550001000"), phone_number_id: fc.constantFrom(PHONE, "1") })),
              statuses: opt(fc.array(sometimes(status), { maxLength: 3 })),
              messages: opt(fc.array(sometimes(message), { maxLength: 3 })),
              contacts: opt(sometimes(fc.array(contact, { maxLength: 2 }))),
              errors: opt(sometimes(fc.array(sometimes(fc.record({ code: sometimes(fc.integer()), title: opt(plausibleString) })), { maxLength: 2 }))),
              user_preferences: opt(sometimes(fc.array(sometimes(fc.record({ wa_id: opt(fc.constantFrom("919812345678", "12")), user_id: opt(plausibleString), category: opt(fc.constantFrom("marketing_messages", "x")), value: fc.oneof(fc.constantFrom("stop", "resume"), plausibleString) })), { maxLength: 2 }))),
            },
            { requiredKeys: ["messaging_product"] },
          ),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            event: fc.oneof(fc.constantFrom("APPROVED", "REJECTED", "PAUSED", "DISABLED"), plausibleString),
            message_template_id: opt(sometimes(fc.constant(TEMPLATE_ID))),
            message_template_name: opt(sometimes(fc.constantFrom("order_shipped_v2", "spring_sale"))),
            message_template_language: opt(sometimes(fc.constantFrom("en_US", "hi_IN", "en-US"))),
            reason: opt(sometimes(fc.constantFrom("NONE", "INVALID_FORMAT"))),
            new_category: opt(sometimes(fc.constantFrom("MARKETING", "UTILITY"))),
            previous_category: opt(sometimes(fc.constantFrom("MARKETING", "UTILITY"))),
            correct_category: opt(sometimes(fc.constantFrom("MARKETING"))),
          }),
        },
      ),
    });

    await assertProperty(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 3 }), async (changes) => {
        const t = await createMessagingTenant();
        // a message Meta accepted (sent, with its wamid), stored in the tenant's WABA object
        const sent = await inWaba(t, (s) => {
          const recorded = recordMessage(s, {
            party: { phone: "+919812345678" }, metaPhoneNumberId: t.defaultPhone, direction: "outbound", kind: "text", body: "x",
            payload: {}, status: "queued", wamid: `wamid.known-${crypto.randomUUID()}`,
          });
          s.sql.exec(`UPDATE messages SET status = 'sent' WHERE id = ?`, recorded!.messageId);
          return recorded;
        });
        const [row] = await wabaSql<{ wamid: string }>(t, `SELECT wamid FROM messages WHERE id = ?`, sent!.messageId);
        const filled = serialise(changes.map((c) => ({ metaWabaId: t.metaWabaId, field: c.field, value: c.value, receivedAt: Date.now() })))
          .replaceAll(KNOWN_WAMID, row!.wamid)
          .replaceAll(CALLBACK, sent!.messageId)
          .replaceAll(PHONE, t.defaultPhone)
          .replaceAll(TEMPLATE_ID, t.templates[0]!.metaId);
        // as the queue hands them over: JSON in, JSON out
        const jobs = JSON.parse(JSON.stringify(JSON.parse(filled))) as MetaEventJob[];
        const label = filled.slice(0, 1500);
        const first = await consume(jobs);
        expect(first.retryMessages, `the consumer threw (the change would be retried, then dead-lettered): ${label}`).toEqual([]);
        const settled = await snapshot(t);
        const again = await consume(jobs);
        expect(again.retryMessages, label).toEqual([]);
        expectUnchanged(settled, await snapshot(t), `a redelivered change wrote again: ${label}`);
        // whatever was stored, the read routes can serve it
        const conversations = await readOk(t.secret, "/v1/conversations?limit=100", "/v1/conversations", label);
        for (const c of conversations.json.data as Array<{ id: string }>) await readOk(t.secret, `/v1/conversations/${c.id}/messages?limit=200`, "/v1/conversations/{id}/messages", label);
        await readOk(t.secret, "/v1/contacts?limit=100", "/v1/contacts", label);
        await readOk(t.secret, "/v1/templates?limit=100", "/v1/templates", label);
        await readOk(t.secret, `/v1/messages/${sent!.messageId}`, "/v1/messages/{id}", label);
      }),
      fcParams(60),
    );

    async function readOk(key: string, path: string, template: string, label: string): Promise<Answer> {
      const a = await call(new Request(`https://api.wbiz.test${path}`, { headers: { Authorization: `Bearer ${key}` } }));
      expectDocumented(contractFor("GET", template), a, label);
      expect(a.status, `${path}: ${a.text.slice(0, 300)}\nafter ${label}`).toBe(200);
      return a;
    }
  }, 180_000);

  it("a signed webhook the route accepts is queued whole, whatever its size and script (sendBatch limits are in bytes)", async () => {
    // eight changes of 30 000 Devanagari characters: ~90 kB of UTF-8 each, 30 000 UTF-16 units each
    const text = "न".repeat(30_000);
    const changes = Array.from({ length: 8 }, (_, i) => ({
      field: "messages",
      value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001000", phone_number_id: ctx.t.defaultPhone }, messages: [{ from: "919812345678", id: `wamid.big-${i}-${crypto.randomUUID()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: text } }] },
    }));
    const res = await postMetaWebhook({ object: "whatsapp_business_account", entry: [{ id: ctx.t.metaWabaId, changes }] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await jsonOf(res)).toEqual({ received: 8 });
  });
});
