import { SCOPES } from "../../src/auth/scopes";
import { TABLES } from "../../src/data-plane/portability";
import { WEBHOOK_EVENT_TYPES } from "../../src/data-plane/schema";
import { PLANS } from "../../src/db/schema";
import { requiredVariableCount } from "../../src/messages/template-rules";
import { MEDIA_TYPES } from "../../src/routes/messages/messages.schemas";
import { expect } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { receiverUrl } from "../helpers/receiver";
import { hostileString, hostileValue, nastyString, plausibleHostileValue, privateHostUrl, privateLiteralUrl } from "./generators";
import { describeRequest } from "./harness";
import { expectNoPrivateEndpoint, OPEN_PHONES, type FuzzContext, type FuzzSpec } from "./fuzz";
import { fc } from "./harness";

// One fuzz spec per route: a generator of valid bodies, the query parameters it knows and where its
// ids come from. The runner (fuzz.ts) turns each into valid, near-valid and junk requests.

/** An optional field: present 4 times in 5 by default, `freq` 2 makes it a coin toss. */
const opt = <T>(arb: fc.Arbitrary<T>, freq = 5) => fc.option(arb, { nil: undefined, freq });
/** An optional field that is usually absent (1 time in 6 present). */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const hexId = fc.stringMatching(/^[0-9a-f]{24}$/);
const ids = (xs: string[]) => (xs.length ? pick(xs) : hexId);

/** A string field's valid values, mostly short, sometimes long or exotic. */
const text = (max: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: Math.min(max, 40) }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: Math.min(max, 20) }) },
    { weight: 1, arbitrary: fc.integer({ min: Math.max(1, max - 2), max: max + 2 }).map((n) => "é".repeat(n)) },
  );

const indianMobile = fc.integer({ min: 0, max: 99_999_999 }).map((n) => `+9198${String(n).padStart(8, "0")}`);

/** The same number as people type it. */
const formatted = (e164: fc.Arbitrary<string>) =>
  fc.tuple(e164, fc.nat(4)).map(([p, style]) => {
    const cc = p.slice(1, 3);
    const rest = p.slice(3);
    return [p, `+${cc} ${rest.slice(0, 5)} ${rest.slice(5)}`, `+${cc}-${rest.slice(0, 5)}-${rest.slice(5)}`, `+${cc} (${rest.slice(0, 2)}) ${rest.slice(2)}`, ` ${p} `][style]!;
  });

/** Recipients: mostly ones whose window is open, some that are valid but closed, some junk. */
const recipient = fc.oneof(
  { weight: 6, arbitrary: formatted(pick(OPEN_PHONES)) },
  { weight: 1, arbitrary: formatted(indianMobile) },
  { weight: 1, arbitrary: pick(["+14155550123", "+447700900123", "+5511987654321", "+12", "+999999999999", "919812345678"]) },
);

const phoneNumberId = (ctx: FuzzContext) =>
  fc.oneof(
    { weight: 3, arbitrary: pick(ctx.t.phones.map((p) => p.metaPhoneNumberId)) },
    { weight: 1, arbitrary: fc.constant(ctx.foreign.tenant.defaultPhone) },
    { weight: 1, arbitrary: fc.stringMatching(/^\d{1,20}$/) },
  );

const limit = (max: number) => fc.integer({ min: 1, max }).map(String);
const isoDate = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());

// ---- messages ----------------------------------------------------------------------------------------------------

const sendBase = (ctx: FuzzContext) => ({ to: recipient, phoneNumberId: opt(phoneNumberId(ctx), 2) });

/** Elements of a wrong type where an object is expected (a null inside `parameters` was a 500). */
const wrongTyped = fc.constantFrom(null, 0, -1, true, "", "text", [], [null], {});

const templateParameter = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant("text"), text: text(30) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom("currency", "date_time", "image", "payload", "action"), text: opt(text(10)) }, { requiredKeys: ["type"] }) },
  { weight: 1, arbitrary: fc.constantFrom("a\nb", "a\tb", "a     b").map((t) => ({ type: "text", text: t })) },
  { weight: 1, arbitrary: wrongTyped },
  { weight: 1, arbitrary: hostileValue },
);

/** Meta-shaped components; a body component mostly carries as many parameters as the template needs. */
const templateComponent = (needed: number) =>
  fc.record(
    {
      type: fc.constantFrom("header", "body", "body", "button", "carousel", "limited_time_offer", "order_status"),
      parameters: opt(
        fc.oneof(
          fc.array(templateParameter, { minLength: needed, maxLength: needed }),
          fc.array(templateParameter, { maxLength: 4 }),
          fc.array(wrongTyped, { minLength: Math.max(1, needed), maxLength: Math.max(1, needed) }),
          wrongTyped,
        ),
      ),
      sub_type: opt(fc.constantFrom("quick_reply", "url", "flow", "copy_code")),
      index: opt(fc.constantFrom("0", "1", 0, 1)),
    },
    { requiredKeys: ["type"] },
  );

/** A template send built around one of the tenant's templates: right name, mostly the right language and variable count. */
const templateSend = (ctx: FuzzContext) =>
  fc.constantFrom(...ctx.t.templates).chain((t) => {
    const needed = requiredVariableCount(t);
    return fc.record(
      {
        ...sendBase(ctx),
        template: fc.constant(t.name),
        language: fc.oneof({ weight: 5, arbitrary: fc.constant(t.language) }, { weight: 1, arbitrary: pick(["en_US", "hi_IN", "en", "fr_FR"]) }),
        variables: opt(fc.oneof({ weight: 4, arbitrary: fc.array(text(30), { minLength: needed, maxLength: needed }) }, { weight: 1, arbitrary: fc.array(text(30), { maxLength: 4 }) }), 2),
        components: fc.oneof(
          { weight: 2, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.array(templateComponent(needed), { minLength: 1, maxLength: 3 }) },
          { weight: 1, arbitrary: fc.array(fc.oneof(templateComponent(needed), wrongTyped), { minLength: 1, maxLength: 3 }) },
        ),
        flowAction: t.name === "book_visit" ? opt(pick(["navigate", "data_exchange"]), 2) : rarely(pick(["navigate", "data_exchange"])),
      },
      { requiredKeys: ["to", "template", "language"] },
    );
  });

export const SEND_SPECS: FuzzSpec[] = [
  {
    method: "POST",
    path: "/v1/messages/text",
    audience: "key",
    send: true,
    body: (ctx) => fc.record({ ...sendBase(ctx), body: fc.oneof({ weight: 8, arbitrary: text(200) }, { weight: 1, arbitrary: fc.integer({ min: 4090, max: 4100 }).map((n) => "b".repeat(n)) }) }, { requiredKeys: ["to", "body"] }),
  },
  {
    method: "POST",
    path: "/v1/messages/template",
    audience: "key",
    send: true,
    body: (ctx) =>
      fc.oneof(
        { weight: 4, arbitrary: templateSend(ctx) },
        {
          weight: 1,
          arbitrary: fc.record(
            { ...sendBase(ctx), template: pick(["no_such_template", "Order_Shipped_V2", "order_shipped_v2"]), language: pick(["en_US", "en_us", "x"]), variables: opt(fc.array(text(30), { maxLength: 4 })) },
            { requiredKeys: ["to", "template", "language"] },
          ),
        },
      ),
  },
  {
    method: "POST",
    path: "/v1/messages/media",
    audience: "key",
    send: true,
    body: (ctx) =>
      fc.tuple(
        pick(MEDIA_TYPES).chain((type) =>
          fc.record(
            {
              ...sendBase(ctx),
              type: fc.constant(type),
              caption: ["image", "video", "document"].includes(type) ? opt(text(1024), 2) : rarely(text(20)),
              filename: type === "document" ? opt(text(240), 2) : rarely(text(20)),
            },
            { requiredKeys: ["to", "type"] },
          ),
        ),
        fc.oneof(
          fc.record({ mediaId: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/) }),
          fc.record({ link: fc.oneof(fc.webUrl({ validSchemes: ["https"] }), pick(["https://cdn.example.com/a.jpg", "http://cdn.example.com/a.jpg", "https://cdn.example.com/" + "p".repeat(2100)])) }),
        ),
      ).map(([a, b]) => ({ ...a, ...b })),
  },
  {
    method: "POST",
    path: "/v1/messages/interactive",
    audience: "key",
    send: true,
    body: (ctx) =>
      fc.oneof(
        fc.record(
          {
            ...sendBase(ctx),
            kind: fc.constant("buttons"),
            body: text(1030),
            headerText: opt(text(62)),
            footer: opt(text(62)),
            buttons: fc.array(fc.record({ id: text(258), title: text(22) }), { minLength: 1, maxLength: 3 }),
          },
          { requiredKeys: ["to", "kind", "body", "buttons"] },
        ),
        fc.record(
          {
            ...sendBase(ctx),
            kind: fc.constant("list"),
            body: text(1030),
            headerText: opt(text(62)),
            footer: opt(text(62)),
            listSections: fc.array(
              fc.record({ title: text(26), rows: fc.array(fc.record({ id: text(202), title: text(26), description: opt(text(74)) }, { requiredKeys: ["id", "title"] }), { minLength: 1, maxLength: 4 }) }),
              { minLength: 1, maxLength: 3 },
            ),
          },
          { requiredKeys: ["to", "kind", "body", "listSections"] },
        ),
      ),
  },
  {
    method: "POST",
    path: "/v1/messages/location",
    audience: "key",
    send: true,
    body: (ctx) =>
      fc.record(
        {
          ...sendBase(ctx),
          latitude: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), pick([-90, 90, 0])),
          longitude: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), pick([-180, 180, 0])),
          name: opt(text(1000)),
          address: opt(text(1000)),
        },
        { requiredKeys: ["to", "latitude", "longitude"] },
      ),
  },
  {
    method: "GET",
    path: "/v1/messages/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids([...ctx.own.outbound, ...ctx.own.inbound]), foreign: ids(ctx.foreign.outbound) } }),
  },
];

// ---- contacts, templates, inbox, key ------------------------------------------------------------------------

const customFields = (nullable: boolean) =>
  fc.dictionary(
    fc.oneof({ weight: 5, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) }, { weight: 1, arbitrary: pick(["__proto__", "constructor", "toString", "$", "a.b", "city", "tier"]) }),
    nullable ? fc.oneof({ weight: 4, arbitrary: text(1024) }, { weight: 1, arbitrary: fc.constant(null) }) : text(1024),
    { maxKeys: 6 },
  );

const tags = fc.array(fc.oneof(text(50), pick(["vip", "gold", "delhi", " vip ", "VIP"])), { maxLength: 6 });
const email = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), pick(["example.com", "mail.co.in", "x.io"])).map(([u, d]) => `${u.replace(/^\.|\.$|\.\./g, "a")}@${d}`) },
  { weight: 1, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: pick(["not-an-email", "a@b", "@x.com", "aarav@example.com"]) },
);

export const CONTACT_SPECS: FuzzSpec[] = [
  {
    method: "GET",
    path: "/v1/contacts",
    audience: "key",
    query: (ctx) => ({
      search: fc.oneof(
        text(100),
        pick(["98123", "+91 98123", "Seed", "%", "_", "\\"]),
        // non-ASCII terms: case folding for every script, decomposed forms, final sigma, dotted capital I
        pick(["ZOË MÜLLER", "zoe\u0308", "STRASSE", "Straße", "ΟΔΥΣ", "İstanbul", "АННА", "नमस्ते", "مرحبا", "😀", "ǅ", "ﬁ"]),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
      ),
      tag: fc.oneof(text(50), pick(["vip", "gold"])),
      optedIn: pick(["true", "false", "TRUE", "1", "yes"]),
      limit: limit(100),
      cursor: ids([...ctx.own.contacts, ...ctx.foreign.contacts]),
    }),
  },
  {
    method: "POST",
    path: "/v1/contacts",
    audience: "key",
    body: () =>
      fc.record(
        {
          phone: fc.oneof(formatted(indianMobile), formatted(pick(OPEN_PHONES))),
          name: opt(text(256)),
          email: opt(email),
          tags: opt(tags),
          customFields: opt(customFields(false)),
          optedIn: opt(fc.boolean()),
        },
        { requiredKeys: ["phone"] },
      ),
    // an existing phone answers 200 with the contact unchanged (WBIZ-Contact-Created: false)
    unchangedOn: (a) => a.status === 200 && a.headers.get("WBIZ-Contact-Created") === "false",
  },
  {
    method: "GET",
    path: "/v1/contacts/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.contacts), foreign: ids(ctx.foreign.contacts) } }),
  },
  {
    method: "PATCH",
    path: "/v1/contacts/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.contacts), foreign: ids(ctx.foreign.contacts) } }),
    body: () =>
      fc.record({
        name: opt(fc.oneof(text(256), fc.constant(null))),
        email: opt(fc.oneof(email, fc.constant(null))),
        tags: opt(tags),
        customFields: opt(customFields(true)),
        optedIn: opt(fc.boolean()),
      }, { requiredKeys: [] }),
    unchangedOn: (a, req) => a.status === 200 && req.body?.kind === "json" && JSON.stringify(req.body.value) === "{}",
    // all or nothing: what the PATCH answered is what is stored
    after: async (ctx, a) => {
      if (a.status === 200) expect(await jsonOf(await api(`/v1/contacts/${a.json.id}`, { key: ctx.t.secret }))).toEqual(a.json);
    },
  },
];

export const READ_SPECS: FuzzSpec[] = [
  { method: "GET", path: "/v1/key", audience: "key" },
  {
    method: "GET",
    path: "/v1/templates",
    audience: "key",
    query: (ctx) => ({
      status: pick(["approved", "pending", "rejected", "APPROVED", "paused"]),
      category: pick(["utility", "marketing", "authentication", "UTILITY", "utility ", "x".repeat(40)]),
      language: pick(["en_US", "hi_IN", "en"]),
      limit: limit(100),
      cursor: ids([...ctx.own.templates, ...ctx.foreign.templates]),
    }),
  },
  {
    method: "GET",
    path: "/v1/conversations",
    audience: "key",
    query: () => ({ status: pick(["open", "closed", "OPEN"]), channel: pick(["whatsapp", "messenger", "instagram", "sms"]), limit: limit(100), cursor: fc.oneof(isoDate, pick(["2026-04-28T17:42:12.108+05:30", "2026-04-28", "0000-01-01T00:00:00Z"])) }),
  },
  {
    method: "GET",
    path: "/v1/conversations/{id}/messages",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.conversations), foreign: ids(ctx.foreign.conversations) } }),
    query: (ctx) => ({ limit: limit(200), beforeId: ids([...ctx.own.inbound, ...ctx.own.outbound, ...ctx.foreign.inbound]) }),
  },
  {
    method: "GET",
    path: "/v1/messages/{id}/media",
    audience: "key",
    // the seeded messages carry no media: own ids are 404 like foreign and random ones
    params: (ctx) => ({ id: { own: ids([...ctx.own.inbound, ...ctx.own.outbound]), foreign: ids(ctx.foreign.inbound) } }),
  },
  {
    method: "POST",
    path: "/v1/media",
    audience: "key",
    // a JSON body is never a form: 415 (the multipart parsing is tested in test/media); junk is 4xx, never 5xx
    body: () => fc.record({ type: pick(["image/jpeg", "image/gif", "application/pdf"]), file: text(100) }),
  },
];

// ---- template management -------------------------------------------------------------------------------------

/** Template components as POST /v1/templates takes them: mostly valid, some breaking one of Meta's rules. */
const authoredComponent = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(
    { type: "BODY", text: "Hi {{1}}, your order {{2}} ships.", example: { body_text: [["Aarav", "4827"]] } },
    { type: "body", text: "Your parcel is on its way." },
    { type: "BODY", text: "Hi {{1}}, order ships.", example: { body_text: [["A", "B"]] } },
    { type: "BODY", text: "{{1}} is here." , example: { body_text: [["A"]] } },
  ) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("BODY"), text: text(1100) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("HEADER"), format: pick(["TEXT", "text", "IMAGE", "LOCATION", "AUDIO"]), text: opt(text(70), 2), example: opt(pick([{ header_handle: ["4::aW1h"] }, { header_text: ["x"] }, { header_media_id: "123" }, {}]), 2) }, { requiredKeys: ["type", "format"] }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("FOOTER"), text: fc.oneof(text(70), pick(["Code {{1}}"])) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("BUTTONS"),
      buttons: fc.array(
        fc.oneof(
          fc.record({ type: fc.constant("QUICK_REPLY"), text: text(30) }),
          fc.record({ type: fc.constant("URL"), text: text(30), url: pick(["https://x.example/a", "https://x.example/t/{{1}}", "ftp://x", "https://x.example/{{1}}/a"]), example: opt(pick([["https://x.example/t/1"], "x"]), 2) }, { requiredKeys: ["type", "text", "url"] }),
          fc.record({ type: fc.constant("PHONE_NUMBER"), text: text(30), phone_number: pick(["+16467043595", "+1".padEnd(25, "5")]) }),
          fc.record({ type: pick(["COPY_CODE", "OTP", "FLOW", "CALL_ME"]), example: opt(text(20), 2) }, { requiredKeys: ["type"] }),
        ),
        { maxLength: 12 },
      ),
    }),
  },
  { weight: 1, arbitrary: wrongTyped },
);
/** Components of a template Meta's rules accept, mostly; sometimes any mix (which mostly breaks one). */
const authoredComponents = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant([{ type: "BODY", text: "Hi {{1}}, your order {{2}} ships.", example: { body_text: [["Aarav", "4827"]] } }]) },
    {
      weight: 2,
      arbitrary: fc.constant([
        { type: "header", format: "text", text: "Order {{1}}", example: { header_text: ["4827"] } },
        { type: "body", text: "Your parcel is on its way." },
        { type: "footer", text: "WBIZ" },
        { type: "buttons", buttons: [{ type: "quick_reply", text: "Stop" }, { type: "url", text: "Track", url: "https://x.example/t/{{1}}", example: ["https://x.example/t/1"] }] },
      ]),
    },
    { weight: 3, arbitrary: fc.array(authoredComponent, { minLength: 1, maxLength: max }) },
  );
const templateCategory = fc.oneof({ weight: 4, arbitrary: pick(["utility", "marketing", "UTILITY"]) }, { weight: 1, arbitrary: pick(["authentication", "promo", ""]) });
const templateId = (ctx: FuzzContext) => ({ template: { own: ids(ctx.own.templates), foreign: ids(ctx.foreign.templates) } });

export const TEMPLATE_SPECS: FuzzSpec[] = [
  {
    method: "POST",
    path: "/v1/templates",
    audience: "key",
    body: () =>
      fc.record(
        {
          name: fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{3,40}$/) }, { weight: 1, arbitrary: pick(["order_shipped_v2", "Bad Name", "a".repeat(513)]) }),
          language: fc.oneof({ weight: 5, arbitrary: pick(["en_US", "hi_IN", "en"]) }, { weight: 1, arbitrary: text(10) }),
          category: templateCategory,
          parameterFormat: opt(pick(["positional", "named", "NAMED"]), 2),
          allowCategoryChange: rarely(fc.boolean()),
          components: authoredComponents(4),
        },
        { requiredKeys: ["name", "language", "category", "components"] },
      ),
    // what was created is what GET answers
    after: async (ctx, a) => {
      if (a.status === 201) expect(await jsonOf(await api(`/v1/templates/${a.json.id}`, { key: ctx.t.secret }))).toEqual(a.json);
    },
  },
  { method: "GET", path: "/v1/templates/{template}", audience: "key", params: templateId },
  {
    method: "PATCH",
    path: "/v1/templates/{template}",
    audience: "key",
    params: templateId,
    body: () => fc.record({ category: opt(templateCategory, 2), components: opt(authoredComponents(3), 2) }, { requiredKeys: [] }),
    after: async (ctx, a) => {
      if (a.status === 200) expect(await jsonOf(await api(`/v1/templates/${a.json.id}`, { key: ctx.t.secret }))).toEqual(a.json);
    },
  },
  {
    // last: it deletes the templates it is given (by name)
    method: "DELETE",
    path: "/v1/templates/{template}",
    audience: "key",
    params: (ctx) => ({ template: { own: pick([...new Set(ctx.t.templates.map((t) => t.name))]), foreign: pick(["not_a_template", "order_shipped_v9"]) } }),
    query: () => ({ language: pick(["en_US", "hi_IN", "fr_FR", "x"]) }),
  },
];

// ---- webhooks ------------------------------------------------------------------------------------------------

const webhookUrl = fc.oneof(
  { weight: 5, arbitrary: fc.constant(null).map(() => receiverUrl("fuzz").url) },
  { weight: 2, arbitrary: fc.webUrl({ validSchemes: ["https", "http"] }) },
  { weight: 1, arbitrary: pick(["http://localhost:8080/x", "http://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/x", "https://[::1]/x", "https://intranet/x", "https://a.internal/x", "ftp://example.com/x", "https://user:pw@example.com/x", "https://" + "h".repeat(2100) + ".com/"]) },
  // names the fuzz resolver answers with private addresses, spelt every way; private literals and custom ports
  { weight: 2, arbitrary: privateHostUrl },
  { weight: 1, arbitrary: privateLiteralUrl },
  { weight: 1, arbitrary: pick(["https://[2606:4700:4700::1111]/hook", "https://93.184.215.14/hook", "https://hooks.example.com:443/hook", "https://HOOKS.example.com./hook"]) },
);
const events = fc.subarray([...WEBHOOK_EVENT_TYPES], { minLength: 1 });

export const WEBHOOK_SPECS: FuzzSpec[] = [
  {
    method: "POST",
    path: "/v1/webhooks",
    audience: "key",
    body: () => fc.record({ url: webhookUrl, events, description: opt(text(256)), enabled: opt(fc.boolean()) }, { requiredKeys: ["url", "events"] }),
    // never an endpoint that resolves privately; stay under the 10-endpoint cap: delete what was created
    after: async (ctx, a, req) => {
      await expectNoPrivateEndpoint(ctx, describeRequest(req));
      if (a.status === 201) await api(`/v1/webhooks/${a.json.id}`, { key: ctx.t.secret, method: "DELETE" });
    },
  },
  {
    method: "GET",
    path: "/v1/webhooks",
    audience: "key",
    query: (ctx) => ({ limit: limit(100), cursor: ids([...ctx.own.webhooks, ...ctx.foreign.webhooks]) }),
  },
  {
    method: "GET",
    path: "/v1/webhooks/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.webhooks), foreign: ids(ctx.foreign.webhooks) } }),
  },
  {
    method: "PATCH",
    path: "/v1/webhooks/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.webhooks), foreign: ids(ctx.foreign.webhooks) } }),
    body: () => fc.record({ url: webhookUrl, events, description: opt(fc.oneof(text(256), fc.constant(null))), enabled: opt(fc.boolean()) }, { requiredKeys: [] }),
    after: async (ctx, a, req) => {
      await expectNoPrivateEndpoint(ctx, describeRequest(req));
      if (a.status === 200) expect(await jsonOf(await api(`/v1/webhooks/${a.json.id}`, { key: ctx.t.secret }))).toEqual(a.json);
    },
  },
  {
    method: "POST",
    path: "/v1/webhooks/{id}/rotate-secret",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.webhooks), foreign: ids(ctx.foreign.webhooks) } }),
  },
  {
    method: "GET",
    path: "/v1/webhooks/{id}/deliveries",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.webhooks), foreign: ids(ctx.foreign.webhooks) } }),
    query: (ctx) => ({ status: pick(["pending", "succeeded", "failed", "done"]), limit: limit(100), cursor: ids(ctx.own.deliveries.map((d) => d.delivery)) }),
  },
  {
    method: "POST",
    path: "/v1/webhooks/{id}/deliveries/{deliveryId}/replay",
    audience: "key",
    params: (ctx) => ({
      id: { own: ids(ctx.own.webhooks), foreign: ids(ctx.foreign.webhooks) },
      deliveryId: { own: ids(ctx.own.deliveries.map((d) => d.delivery)), foreign: ids(ctx.foreign.deliveries.map((d) => d.delivery)) },
    }),
  },
  {
    // last: it deletes the ids it is given (the test hands it throwaway endpoints)
    method: "DELETE",
    path: "/v1/webhooks/{id}",
    audience: "key",
    params: (ctx) => ({ id: { own: ids(ctx.own.webhooks.slice(1)), foreign: ids(ctx.foreign.webhooks) } }),
  },
];

// ---- Meta's webhook ----------------------------------------------------------------------------------------------

// what Meta can send (no nesting deeper than its payloads, no 60 kB strings): the two ways a signed
// payload beyond that breaks the route have their own tests in fuzz-meta.test.ts
const plausibleString = hostileString.filter((s) => s.length < 10_000);
const metaChange = fc.record({
  field: fc.oneof({ weight: 3, arbitrary: pick(["messages", "message_template_status_update"]) }, { weight: 1, arbitrary: plausibleString }),
  value: fc.oneof(
    { weight: 3, arbitrary: fc.record({ messaging_product: fc.constant("whatsapp"), statuses: opt(fc.array(plausibleHostileValue, { maxLength: 3 })), messages: opt(fc.array(plausibleHostileValue, { maxLength: 3 })), contacts: opt(fc.array(plausibleHostileValue, { maxLength: 2 })) }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), plausibleHostileValue, { maxKeys: 4 }) },
  ),
});

// WABA ids no tenant of this suite owns: accepted events are processed in the background, and must not write under the snapshots
const metaEnvelope = fc.record({
  object: fc.oneof({ weight: 4, arbitrary: fc.constant("whatsapp_business_account") }, { weight: 1, arbitrary: plausibleString }),
  entry: fc.array(fc.record({ id: fc.oneof(fc.stringMatching(/^9\d{10}$/), nastyString), changes: fc.array(metaChange, { maxLength: 3 }) }), { maxLength: 3 }),
});

export const META_SPECS: FuzzSpec[] = [
  {
    method: "GET",
    path: "/meta/webhook",
    audience: "none",
    query: () => ({ "hub.mode": pick(["subscribe", "unsubscribe", "SUBSCRIBE"]), "hub.verify_token": pick(["demo-meta-verify-token-local-only", "wrong", ""]), "hub.challenge": fc.oneof(fc.stringMatching(/^\d{1,12}$/), text(40)) }),
  },
  {
    method: "POST",
    path: "/meta/webhook",
    audience: "none",
    signed: true,
    body: () => metaEnvelope,
  },
  {
    // the test-mode sandbox's door: the same envelope, its own secret (the harness signs by path)
    method: "POST",
    path: "/meta/sandbox/webhook",
    audience: "none",
    signed: true,
    body: () => metaEnvelope,
  },
];

// ---- admin ----------------------------------------------------------------------------------------------------

const metaId = fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^8\d{9,15}$/) }, { weight: 1, arbitrary: pick(["1234", "123456789012345678901", "abc", "00000"]) });

/**
 * One line of a WABA export ({"table", "row"}), as POST /admin/wabas/{id}/import takes them: rows that
 * fit (new contacts, tags of the seeded contacts, alerts), rows that break a constraint or name an
 * unknown table or column. The runner sends it as the body (one line).
 */
const importLine = (ctx: FuzzContext) => {
  const now = fc.integer({ min: 0, max: 4_102_444_800_000 });
  const contact = fc.record({
    table: fc.constant("contacts"),
    row: fc.record(
      { id: hexId, phone: opt(fc.oneof(indianMobile, pick(OPEN_PHONES))), name: opt(text(60)), custom_fields: opt(fc.constantFrom("{}", '{"tier":"1"}')), opted_in: opt(fc.constantFrom(0, 1)), created_at: now, updated_at: now },
      { requiredKeys: ["id", "created_at", "updated_at"] },
    ),
  });
  const tag = fc.record({ table: fc.constant("contact_tags"), row: fc.record({ contact_id: fc.oneof(pick(ctx.own.contacts), hexId), tag: text(50) }) });
  const alert = fc.record({
    table: fc.constant("meta_alerts"),
    row: fc.record({ id: hexId, code: opt(fc.integer()), title: opt(text(60)), raw: fc.constant("{}"), created_at: now }, { requiredKeys: ["id", "raw", "created_at"] }),
  });
  const junk = fc.record({
    table: fc.oneof(pick(TABLES), pick(["wabas", "api_keys", "sqlite_master", "_cf_KV", "contacts; DROP TABLE messages"]), nastyString),
    row: fc.dictionary(fc.oneof(pick(["id", "waba_id", "phone", "status", "rowid", "1=1) --"]), nastyString), plausibleHostileValue, { maxKeys: 4 }),
  });
  return fc.oneof({ weight: 2, arbitrary: contact }, { weight: 1, arbitrary: tag }, { weight: 1, arbitrary: alert }, { weight: 2, arbitrary: junk });
};

export function adminSpecs(throwawayKeys: string[], throwawayWabas: string[] = []): FuzzSpec[] {
  const ws = (ctx: FuzzContext) => ({ own: pick([ctx.t.workspace.id]), foreign: pick([ctx.foreign.tenant.workspace.id]) });
  const waba = (ctx: FuzzContext) => ({ own: pick([ctx.t.waba.id]), foreign: pick([ctx.foreign.tenant.waba.id]) });
  return [
    { method: "POST", path: "/admin/workspaces", audience: "admin", body: () => fc.record({ name: text(120), plan: opt(pick(PLANS)) }, { requiredKeys: ["name"] }) },
    { method: "GET", path: "/admin/workspaces", audience: "admin" },
    { method: "PATCH", path: "/admin/workspaces/{id}", audience: "admin", params: (ctx) => ({ id: ws(ctx) }), body: () => fc.record({ name: opt(text(120)), plan: opt(pick(PLANS)) }, { requiredKeys: [] }) },
    {
      method: "POST",
      path: "/admin/wabas",
      audience: "admin",
      body: (ctx) => fc.record({ workspaceId: fc.oneof(pick([ctx.t.workspace.id]), hexId), metaWabaId: fc.oneof(metaId, pick([ctx.t.waba.metaWabaId])), name: text(120), accessToken: fc.string({ minLength: 8, maxLength: 40 }) }),
    },
    { method: "GET", path: "/admin/wabas", audience: "admin", query: (ctx) => ({ workspaceId: fc.oneof(pick([ctx.t.workspace.id]), hexId) }) },
    { method: "PATCH", path: "/admin/wabas/{id}", audience: "admin", params: (ctx) => ({ id: waba(ctx) }), body: () => fc.record({ name: opt(text(120)), accessToken: opt(fc.string({ minLength: 8, maxLength: 40 })) }, { requiredKeys: [] }) },
    {
      method: "POST",
      path: "/admin/wabas/{id}/phone-numbers",
      audience: "admin",
      params: (ctx) => ({ id: waba(ctx) }),
      body: (ctx) => fc.record({ metaPhoneNumberId: fc.oneof(metaId, pick([ctx.t.defaultPhone])), displayPhoneNumber: text(32), isDefault: opt(fc.boolean()) }, { requiredKeys: ["metaPhoneNumberId", "displayPhoneNumber"] }),
    },
    { method: "GET", path: "/admin/wabas/{id}/phone-numbers", audience: "admin", params: (ctx) => ({ id: waba(ctx) }) },
    {
      method: "POST",
      path: "/admin/keys",
      audience: "admin",
      body: (ctx) =>
        fc.record(
          { wabaId: fc.oneof(pick([ctx.t.waba.id]), hexId), name: text(120), scopes: fc.subarray([...SCOPES], { minLength: 1 }), mode: opt(pick(["live", "test"])), planOverride: opt(pick(PLANS)) },
          { requiredKeys: ["wabaId", "name", "scopes"] },
        ),
    },
    { method: "GET", path: "/admin/keys", audience: "admin", query: (ctx) => ({ workspaceId: pick([ctx.t.workspace.id]), wabaId: pick([ctx.t.waba.id]), cursor: hexId, limit: limit(100) }) },
    { method: "POST", path: "/admin/keys/{id}/revoke", audience: "admin", params: () => ({ id: { own: ids(throwawayKeys), foreign: hexId } }) },
    { method: "POST", path: "/admin/wabas/{id}/templates/sync", audience: "admin", params: (ctx) => ({ id: waba(ctx) }) },
    { method: "GET", path: "/admin/wabas/{id}/alerts", audience: "admin", params: (ctx) => ({ id: waba(ctx) }) },
    { method: "GET", path: "/admin/wabas/{id}/export", audience: "admin", params: (ctx) => ({ id: waba(ctx) }) },
    { method: "POST", path: "/admin/wabas/{id}/import", audience: "admin", params: (ctx) => ({ id: waba(ctx) }), body: importLine },
    // last: it erases the WABAs it is given (the test hands it throwaway ones)
    { method: "DELETE", path: "/admin/wabas/{id}", audience: "admin", params: () => ({ id: { own: ids(throwawayWabas), foreign: hexId } }) },
  ];
}

// ---- campaigns, scheduled sends ----------------------------------------------------------------------------------

const futureIso = fc.integer({ min: 60_000, max: 40 * 86_400_000 }).map((ms) => new Date(Date.now() + ms).toISOString());
const campaignRecipient = fc.record(
  { to: fc.oneof({ weight: 4, arbitrary: indianMobile }, { weight: 1, arbitrary: text(20) }), variables: opt(fc.array(text(30), { maxLength: 4 }), 2) },
  { requiredKeys: ["to"] },
);
const campaignId = (ctx: FuzzContext) => ({ id: { own: ids(ctx.own.campaigns), foreign: ids(ctx.foreign.campaigns) } });

export const CAMPAIGN_SPECS: FuzzSpec[] = [
  {
    method: "POST",
    path: "/v1/campaigns",
    audience: "key",
    // a day or more ahead: what the fuzzer creates stays scheduled and sends nothing under the snapshots
    body: () =>
      fc.record(
        {
          name: opt(text(120)),
          template: fc.oneof({ weight: 4, arbitrary: fc.constant("order_shipped_v2") }, { weight: 1, arbitrary: pick(["no_such_template", "spring_sale", "payment_reminder"]) }),
          language: fc.oneof({ weight: 4, arbitrary: fc.constant("en_US") }, { weight: 1, arbitrary: pick(["hi_IN", "fr_FR", "x"]) }),
          sendAt: futureIso.filter((iso) => Date.parse(iso) > Date.now() + 86_400_000),
          recipients: fc.array(campaignRecipient, { minLength: 1, maxLength: 5 }),
        },
        { requiredKeys: ["template", "language", "sendAt", "recipients"] },
      ),
    query: () => ({ dryRun: pick(["true", "false"]) }),
  },
  { method: "GET", path: "/v1/campaigns", audience: "key", query: () => ({ limit: fc.integer({ min: 1, max: 100 }).map(String) }) },
  { method: "GET", path: "/v1/campaigns/{id}", audience: "key", params: campaignId },
  {
    method: "GET",
    path: "/v1/campaigns/{id}/recipients",
    audience: "key",
    params: campaignId,
    query: () => ({ limit: fc.integer({ min: 1, max: 1000 }).map(String), status: pick(["pending", "queued", "sent", "skipped", "cancelled", "nope"]) }),
  },
  { method: "POST", path: "/v1/campaigns/{id}/recipients", audience: "key", params: campaignId, body: () => fc.record({ recipients: fc.array(campaignRecipient, { minLength: 1, maxLength: 3 }) }) },
  { method: "POST", path: "/v1/campaigns/{id}/pause", audience: "key", params: campaignId },
  { method: "POST", path: "/v1/campaigns/{id}/resume", audience: "key", params: campaignId },
  // last: it ends the campaigns it is given
  { method: "POST", path: "/v1/campaigns/{id}/cancel", audience: "key", params: campaignId },
  {
    method: "DELETE",
    path: "/v1/messages/{id}",
    audience: "key",
    // sent messages: 409 INVALID_STATE (only a scheduled send can be cancelled), foreign and random ids 404
    params: (ctx) => ({ id: { own: ids(ctx.own.outbound), foreign: ids(ctx.foreign.outbound) } }),
  },
];

export const KEYED_SPECS: FuzzSpec[] = [...SEND_SPECS, ...CONTACT_SPECS, ...READ_SPECS, ...TEMPLATE_SPECS, ...WEBHOOK_SPECS, ...CAMPAIGN_SPECS];
