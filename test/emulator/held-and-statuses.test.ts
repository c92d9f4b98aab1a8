import { describe, expect, it } from "vitest";
import { addFault, emulatorSends, emulatorWebhooks, postStatus, registerUser, resolveHeld } from "../helpers/emulator";
import { body, controlError, controlRequest, freshWaba, USER, USER_WA_ID } from "./fixtures";
import { parsed, statusOf, waitForWebhooks } from "./webhook-helpers";

const FAST = [0, 20, 40];
const promo = {
  to: USER,
  type: "template",
  template: { name: "no_params", language: { code: "en" } },
};

describe("held_for_quality_assessment (fault action hold)", () => {
  it("a template send answers 200 held_for_quality_assessment and posts nothing until released: then sent → delivered → read", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    await addFault({ phoneNumberId: t.phoneNumberId, action: "hold" });
    const json = await body(await t.send(promo));
    expect(json).toEqual({
      messaging_product: "whatsapp",
      contacts: [{ input: USER, wa_id: USER_WA_ID }],
      messages: [{ id: expect.any(String), message_status: "held_for_quality_assessment" }],
    });
    const wamid = json.messages[0].id;
    // the next template is accepted as usual
    expect((await body(await t.send(promo))).messages[0].message_status).toBe("accepted");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await emulatorWebhooks(t.wabaId, { wamid })).toEqual([]);
    expect((await emulatorSends(t.phoneNumberId)).map((s) => s.held)).toEqual(["held", undefined]);

    expect(await resolveHeld(wamid, "release")).toEqual({ wamid, held: "released" });
    const hooks = await waitForWebhooks(t.wabaId, 3, { wamid });
    expect(hooks.map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
    expect(statusOf(hooks[0]!).pricing).toMatchObject({ category: "utility" });
    expect((await emulatorSends(t.phoneNumberId))[0]!.held).toBe("released");
    await controlError(await controlRequest("/held", { wamid, outcome: "drop" }), 409);
  });

  it("drop posts one failed status whose error code is the string \"132015\"", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: FAST } });
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    await addFault({ phoneNumberId: t.phoneNumberId, action: "hold", times: "always" });
    const wamid = (await body(await t.send(promo))).messages[0].id;
    const dropped = await resolveHeld(wamid, "drop");
    expect(dropped).toMatchObject({ wamid, held: "dropped", webhook: { id: expect.any(Number) } });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    const value = parsed(hook!).entry[0].changes[0].value;
    expect(value.contacts).toBeUndefined();
    expect(value.statuses).toEqual([
      {
        id: wamid,
        status: "failed",
        timestamp: expect.stringMatching(/^\d{10}$/),
        recipient_id: USER_WA_ID,
        errors: [
          {
            code: "132015",
            title: "Template is Paused",
            message: "Template is Paused",
            error_data: { details: "Template is paused due to low quality so it cannot be sent in a template message." },
            href: "/documentation/business-messaging/whatsapp/support/error-codes",
          },
        ],
      },
    ]);
    expect(hook!.body).toContain('"code":"132015"');
    expect((await emulatorSends(t.phoneNumberId))[0]).toMatchObject({ held: "dropped", userId: user.userId });
  });

  it("hold never matches a free-form send; /held answers 404 for an unknown wamid, 409 for one never held, 400 for a bad outcome", async () => {
    const t = await freshWaba();
    await addFault({ phoneNumberId: t.phoneNumberId, action: "hold" });
    const text = await body(await t.send({ to: USER, type: "text", text: { body: "hi" } }));
    expect(text.messages[0].message_status).toBeUndefined();
    await controlError(await controlRequest("/held", { wamid: text.messages[0].id, outcome: "release" }), 409);
    await controlError(await controlRequest("/held", { wamid: "wamid.unknown", outcome: "release" }), 404);
    await controlError(await controlRequest("/held", { wamid: text.messages[0].id, outcome: "keep" }), 400);
    // the hold rule is still armed for the next template
    expect((await body(await t.send(promo))).messages[0].message_status).toBe("held_for_quality_assessment");
  });
});

describe("POST /__emulator/statuses", () => {
  it("posts any status for an accepted send in Meta's shape, e.g. played", async () => {
    const t = await freshWaba();
    const user = await registerUser({ wabaId: t.wabaId, waId: USER, username: "ana" });
    const wamid = (await body(await t.send({ to: USER, type: "audio", audio: { id: "1", voice: true }, biz_opaque_callback_data: "vn-1" }))).messages[0].id;
    const { webhook } = await postStatus({ wamid, status: "played" });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { wamid });
    expect(hook).toMatchObject({ id: webhook.id, kind: "statuses", status: "played" });
    const value = parsed(hook!).entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ profile: { name: "Test User", username: "@ana" }, wa_id: USER_WA_ID, user_id: user.userId }]);
    expect(value.statuses).toEqual([
      { id: wamid, status: "played", timestamp: expect.stringMatching(/^\d{10}$/), recipient_id: USER_WA_ID, recipient_user_id: user.userId, biz_opaque_callback_data: "vn-1" },
    ]);
  });

  it("failed with given errors, optionally with string codes; a failed status to a BSUID keeps recipient_user_id", async () => {
    const t = await freshWaba();
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    const wamid = (await body(await t.send({ recipient: user.userId, type: "text", text: { body: "hi" } }))).messages[0].id;
    await postStatus({ wamid, status: "failed", errors: [{ code: 131049 }, { code: 131026, details: "Second" }], codeAsString: true });
    const status = statusOf((await waitForWebhooks(t.wabaId, 1, { wamid }))[0]!);
    expect(status).toMatchObject({ status: "failed", recipient_id: USER_WA_ID, recipient_user_id: user.userId });
    expect(status.errors.map((e: { code: string; error_data: { details: string } }) => [e.code, e.error_data.details])).toEqual([
      ["131049", "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."],
      ["131026", "Second"],
    ]);
  });

  it("404 for a wamid the emulator did not accept; 400 for failed without errors or codeAsString without errors", async () => {
    const t = await freshWaba();
    const wamid = (await body(await t.send({ to: USER, type: "text", text: { body: "hi" } }))).messages[0].id;
    await controlError(await controlRequest("/statuses", { wamid: "wamid.nope", status: "read" }), 404);
    await controlError(await controlRequest("/statuses", { wamid, status: "failed" }), 400);
    await controlError(await controlRequest("/statuses", { wamid, status: "read", codeAsString: true }), 400);
    await controlError(await controlRequest("/statuses", { wamid: "x", status: "read" }), 400);
  });
});

describe("voice notes: played", () => {
  it("with playVoiceNotes an audio send with voice: true gets played after read; other audio does not", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0, 10, 20, 30], playVoiceNotes: true } });
    const voice = (await body(await t.send({ to: USER, type: "audio", audio: { id: "1", voice: true } }))).messages[0].id;
    const plain = (await body(await t.send({ to: USER, type: "audio", audio: { id: "2" } }))).messages[0].id;
    const hooks = await waitForWebhooks(t.wabaId, 4, { wamid: voice });
    expect(hooks.map((h) => h.status)).toEqual(["sent", "delivered", "read", "played"]);
    const played = parsed(hooks[3]!).entry[0].changes[0].value;
    expect(played.statuses[0].pricing).toBeUndefined();
    expect(played.contacts[0].wa_id).toBe(USER_WA_ID);
    expect((await waitForWebhooks(t.wabaId, 3, { wamid: plain })).map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
  });

  it("playVoiceNotes is off by default", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0, 5, 10, 15] } });
    const voice = (await body(await t.send({ to: USER, type: "audio", audio: { id: "1", voice: true } }))).messages[0].id;
    const marker = (await body(await t.send({ to: USER, type: "text", text: { body: "after" } }))).messages[0].id;
    await waitForWebhooks(t.wabaId, 3, { wamid: marker });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await emulatorWebhooks(t.wabaId, { wamid: voice })).map((h) => h.status)).toEqual(["sent", "delivered", "read"]);
  });
});
