import { describe, expect, it } from "vitest";
import { postSystemError, registerUser, setUserPreference } from "../helpers/emulator";
import { body, controlError, controlRequest, freshWaba, USER, USER_WA_ID } from "./fixtures";
import { parsed, statusOf, waitForWebhooks } from "./webhook-helpers";

const marketing = {
  to: USER,
  type: "template",
  template: { name: "welcome_named", language: { code: "en_US" }, components: [{ type: "body", parameters: [{ type: "text", parameter_name: "first_name", text: "Ada" }, { type: "text", parameter_name: "code", text: "X" }] }] },
};

describe("POST /__emulator/user-preferences", () => {
  it("posts Meta's user_preferences: contacts without profile, an integer timestamp, the user's BSUID", async () => {
    const t = await freshWaba();
    const before = Math.floor(Date.now() / 1000);
    const { user, webhook } = await setUserPreference({ phoneNumberId: t.phoneNumberId, waId: USER, value: "stop" });
    expect(user).toMatchObject({ waId: USER_WA_ID, userId: expect.stringMatching(/^US\./) });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "user_preferences" });
    expect(hook!.id).toBe(webhook.id);
    const payload = parsed(hook!);
    expect(payload.entry[0].changes[0].field).toBe("user_preferences");
    expect(payload.entry[0].changes[0].value).toEqual({
      messaging_product: "whatsapp",
      metadata: { display_phone_number: t.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: t.phoneNumberId },
      contacts: [{ wa_id: USER_WA_ID, user_id: user.userId }],
      user_preferences: [
        {
          wa_id: USER_WA_ID,
          user_id: user.userId,
          detail: "User requested to stop marketing messages",
          category: "marketing_messages",
          value: "stop",
          timestamp: expect.any(Number),
        },
      ],
    });
    expect(payload.entry[0].changes[0].value.user_preferences[0].timestamp).toBeGreaterThanOrEqual(before);
  });

  it("a user who stopped gets marketing templates as a failed 131050, utility ones as usual; resume lifts it", async () => {
    const t = await freshWaba({ settings: { statusDelaysMs: [0] } });
    await setUserPreference({ phoneNumberId: t.phoneNumberId, waId: USER_WA_ID, value: "stop" });
    const stopped = (await body(await t.send(marketing))).messages[0].id;
    expect(statusOf((await waitForWebhooks(t.wabaId, 1, { wamid: stopped }))[0]!)).toMatchObject({ status: "failed", errors: [{ code: 131050 }] });
    const utility = (await body(await t.send({ to: USER, type: "template", template: { name: "no_params", language: { code: "en" } } }))).messages[0].id;
    expect((await waitForWebhooks(t.wabaId, 1, { wamid: utility }))[0]!.status).toBe("sent");
    await setUserPreference({ phoneNumberId: t.phoneNumberId, waId: USER_WA_ID, value: "resume" });
    const resumed = (await body(await t.send(marketing))).messages[0].id;
    expect((await waitForWebhooks(t.wabaId, 1, { wamid: resumed }))[0]!.status).toBe("sent");
  });

  it("by userId: wa_id is omitted when Meta cannot share the number", async () => {
    const t = await freshWaba();
    const user = await registerUser({ wabaId: t.wabaId, waId: USER, hidePhone: true });
    await setUserPreference({ phoneNumberId: t.phoneNumberId, userId: user.userId, value: "resume" });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "user_preferences" });
    const value = parsed(hook!).entry[0].changes[0].value;
    expect(value.contacts).toEqual([{ user_id: user.userId }]);
    expect(value.user_preferences[0]).toMatchObject({ user_id: user.userId, value: "resume", detail: "User requested to resume marketing messages" });
    expect(value.user_preferences[0].wa_id).toBeUndefined();
  });

  it("400 for a bad value or no user, 404 for an unknown phone number or BSUID, 409 when waId and userId disagree", async () => {
    const t = await freshWaba();
    await controlError(await controlRequest("/user-preferences", { phoneNumberId: t.phoneNumberId, waId: USER, value: "pause" }), 400);
    await controlError(await controlRequest("/user-preferences", { phoneNumberId: t.phoneNumberId, value: "stop" }), 400);
    await controlError(await controlRequest("/user-preferences", { phoneNumberId: "1", waId: USER, value: "stop" }), 404);
    await controlError(await controlRequest("/user-preferences", { phoneNumberId: t.phoneNumberId, userId: "US.1", value: "stop" }), 404);
    const user = await registerUser({ wabaId: t.wabaId, waId: USER });
    await controlError(await controlRequest("/user-preferences", { phoneNumberId: t.phoneNumberId, userId: user.userId, waId: "+14155550123", value: "stop" }), 409);
  });
});

describe("POST /__emulator/system-errors", () => {
  it("posts a messages change with value.errors and neither statuses nor messages (Meta's example)", async () => {
    const t = await freshWaba();
    const { webhook } = await postSystemError({
      wabaId: t.wabaId,
      phoneNumberId: t.phoneNumberId,
      code: 130429,
      details: "Message failed to send because there were too many messages sent from this phone number in a short period of time",
    });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "errors" });
    expect(hook).toMatchObject({ id: webhook.id, phoneNumberId: t.phoneNumberId });
    expect(parsed(hook!)).toEqual({
      object: "whatsapp_business_account",
      entry: [
        {
          id: t.wabaId,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: t.displayPhoneNumber.replace(/\D/g, ""), phone_number_id: t.phoneNumberId },
                errors: [
                  {
                    code: 130429,
                    title: "Rate limit hit",
                    message: "Rate limit hit",
                    error_data: { details: "Message failed to send because there were too many messages sent from this phone number in a short period of time" },
                    href: "/documentation/business-messaging/whatsapp/support/error-codes",
                  },
                ],
              },
              field: "messages",
            },
          ],
        },
      ],
    });
  });

  it("details default to the code's catalogue text; 400 for bad input, 404 when the number is not the WABA's", async () => {
    const t = await freshWaba();
    await postSystemError({ wabaId: t.wabaId, phoneNumberId: t.phoneNumberId, code: 131000 });
    const [hook] = await waitForWebhooks(t.wabaId, 1, { kind: "errors" });
    expect(parsed(hook!).entry[0].changes[0].value.errors[0]).toMatchObject({ code: 131000, error_data: { details: "Message failed to send due to an unknown error." } });
    await controlError(await controlRequest("/system-errors", { wabaId: t.wabaId, phoneNumberId: t.phoneNumberId, code: "131000" }), 400);
    const other = await freshWaba();
    await controlError(await controlRequest("/system-errors", { wabaId: t.wabaId, phoneNumberId: other.phoneNumberId, code: 131000 }), 404);
  });
});
