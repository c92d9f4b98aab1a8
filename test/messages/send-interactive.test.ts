import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { emulatorSends } from "../helpers/emulator";
import { createMessagingTenant, inboundFrom } from "../helpers/messaging";

const TO = "+919812345678";
const rows = (n: number, prefix = "r") => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, title: `Row ${i}` }));
const send = (key: string, json: unknown) => api("/v1/messages/interactive", { key, method: "POST", json: { to: TO, ...(json as object) } });

describe("POST /v1/messages/interactive", () => {
  it("sends reply buttons and a list (labelled Choose) in Meta's shape", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const buttons = await send(t.secret, {
      kind: "buttons",
      body: "Did your order arrive in good condition?",
      headerText: "Order #4827",
      footer: "WBIZ",
      buttons: [{ id: "yes", title: "Yes, all good" }, { id: "no", title: "Report an issue" }],
    });
    expect(buttons.status).toBe(200);
    const list = await send(t.secret, { kind: "list", body: "Pick a slot", listSections: [{ title: "Morning", rows: [{ id: "m9", title: "9am", description: "Fast" }] }, { title: "Evening", rows: rows(2) }] });
    expect(list.status).toBe(200);
    const [b, l] = await emulatorSends(t.defaultPhone);
    expect(b!.body).toMatchObject({
      type: "interactive",
      interactive: {
        type: "button",
        header: { type: "text", text: "Order #4827" },
        body: { text: "Did your order arrive in good condition?" },
        footer: { text: "WBIZ" },
        action: { buttons: [{ type: "reply", reply: { id: "yes", title: "Yes, all good" } }, { type: "reply", reply: { id: "no", title: "Report an issue" } }] },
      },
    });
    expect(l!.body).toMatchObject({ interactive: { type: "list", action: { button: "Choose", sections: [{ title: "Morning", rows: [{ id: "m9", title: "9am", description: "Fast" }] }, { title: "Evening" }] } } });
  });

  it.each([
    [{ kind: "carousel", body: "x", buttons: [{ id: "a", title: "A" }] }, "kind"],
    [{ kind: "buttons", body: "x", buttons: [] }, "buttons"],
    [{ kind: "buttons", body: "x", buttons: [1, 2, 3, 4].map((i) => ({ id: `b${i}`, title: `B${i}` })) }, "buttons"],
    [{ kind: "buttons", body: "x" }, "buttons"],
    [{ kind: "list", body: "x", listSections: Array.from({ length: 11 }, (_, i) => ({ title: `S${i}`, rows: rows(1, `s${i}`) })) }, "listSections"],
    [{ kind: "list", body: "x", listSections: [{ title: "S", rows: rows(11) }] }, "listSections.0.rows"],
    [{ kind: "list", body: "x", buttons: [{ id: "a", title: "A" }], listSections: [{ title: "S", rows: rows(1) }] }, "buttons"],
  ])("400 VALIDATION_FAILED for counts and combinations: %j", async (json, field) => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, json);
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  const long = (n: number) => "x".repeat(n);
  it.each([
    [{ kind: "buttons", body: "x", buttons: [{ id: "a", title: long(21) }] }, "buttons.0.title", 20],
    [{ kind: "buttons", body: "x", buttons: [{ id: long(257), title: "A" }] }, "buttons.0.id", 256],
    [{ kind: "buttons", body: long(1025), buttons: [{ id: "a", title: "A" }] }, "body", 1024],
    [{ kind: "buttons", body: "x", headerText: long(61), buttons: [{ id: "a", title: "A" }] }, "headerText", 60],
    [{ kind: "buttons", body: "x", footer: long(61), buttons: [{ id: "a", title: "A" }] }, "footer", 60],
    [{ kind: "list", body: "x", listSections: [{ title: "S", rows: [{ id: "a", title: long(25) }] }] }, "listSections.0.rows.0.title", 24],
    [{ kind: "list", body: "x", listSections: [{ title: "S", rows: [{ id: "a", title: "A", description: long(73) }] }] }, "listSections.0.rows.0.description", 72],
    [{ kind: "list", body: "x", listSections: [{ title: "S", rows: [{ id: long(201), title: "A" }] }] }, "listSections.0.rows.0.id", 200],
    [{ kind: "list", body: "x", listSections: [{ title: long(25), rows: rows(1) }] }, "listSections.0.title", 24],
    [{ kind: "list", body: "x", listSections: [{ title: "A", rows: rows(6, "a") }, { title: "B", rows: rows(5, "b") }] }, "listSections", 10],
  ])("400 INTERACTIVE_LIMITS naming the limit: %#", async (json, field, limit) => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const res = await send(t.secret, json);
    expect(res.status).toBe(400);
    const body = await jsonOf(res);
    expect(body.error.code).toBe("INTERACTIVE_LIMITS");
    expect(body.error.details).toContainEqual(expect.objectContaining({ field, limit }));
    expect(await emulatorSends(t.defaultPhone)).toHaveLength(0);
  });

  it("the limits themselves are allowed (20-char title, 256-char id, 10 rows in total)", async () => {
    const t = await createMessagingTenant();
    await inboundFrom(t, TO);
    const ok1 = await send(t.secret, { kind: "buttons", body: long(1024), buttons: [{ id: long(256), title: long(20) }] });
    expect(ok1.status).toBe(200);
    const ok2 = await send(t.secret, { kind: "list", body: "x", listSections: [{ title: long(24), rows: rows(5, "a") }, { title: "B", rows: rows(5, "b") }] });
    expect(ok2.status).toBe(200);
  });

  it("duplicate button titles are refused like Meta does", async () => {
    const t = await createMessagingTenant();
    const res = await send(t.secret, { kind: "buttons", body: "x", buttons: [{ id: "a", title: "Same" }, { id: "b", title: "Same" }] });
    expect((await jsonOf(res)).error.code).toBe("INTERACTIVE_LIMITS");
  });
});
