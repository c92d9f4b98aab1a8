import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { emulatorSends, graph } from "../helpers/emulator";
import { freshWaba, graphError, uniqueId, USER } from "./fixtures";

const text = { messaging_product: "whatsapp", to: USER, type: "text", text: { body: "hi" } };

describe("messages: token, phone-number-id and version", () => {
  it("401 code 190 for an unknown token, with Graph's WWW-Authenticate header", async () => {
    const t = await freshWaba();
    const res = await t.send({ to: USER, text: { body: "hi" } }, "v24.0", "EAAGnot-a-real-token");
    expect(res.headers.get("WWW-Authenticate")).toMatch(/^OAuth "Facebook Platform" "invalid_token"/);
    const error = await graphError(res, 401, 190);
    expect(error).toEqual({ message: "Invalid OAuth access token - Cannot parse access token", type: "OAuthException", code: 190, fbtrace_id: expect.any(String) });
    expect(await emulatorSends(t.phoneNumberId)).toEqual([]);
  });

  it("401 code 190 without any token", async () => {
    const t = await freshWaba();
    await graphError(await graph(`/v24.0/${t.phoneNumberId}/messages`, { json: text }), 401, 190);
  });

  it("401 code 190 for the token of another WABA", async () => {
    const a = await freshWaba();
    const b = await freshWaba();
    const error = await graphError(await a.send({ to: USER, text: { body: "hi" } }, "v24.0", b.token), 401, 190);
    expect(error.message).toContain(a.phoneNumberId);
  });

  it("accepts the token as ?access_token=", async () => {
    const t = await freshWaba();
    const res = await graph(`/v24.0/${t.phoneNumberId}/messages?access_token=${t.token}`, { json: text });
    expect(res.status).toBe(200);
  });

  it("GraphMethodException 100/33 for an unknown phone-number-id (checked after the token)", async () => {
    const t = await freshWaba();
    const unknown = uniqueId("3");
    const error = await graphError(await graph(`/v24.0/${unknown}/messages`, { token: t.token, json: text }), 400, 100);
    expect(error).toEqual({
      message: `Unsupported post request. Object with ID '${unknown}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: "GraphMethodException",
      code: 100,
      error_subcode: 33,
      fbtrace_id: expect.any(String),
    });
    await graphError(await graph(`/v24.0/${unknown}/messages`, { token: "EAAGunknown", json: text }), 401, 190);
  });

  it("a path that is not a Graph version is Graph's unknown-path error", async () => {
    const t = await freshWaba();
    const error = await graphError(await graph(`/latest/${t.phoneNumberId}/messages`, { token: t.token, json: text }), 400, 2500);
    expect(error.message).toBe(`Unknown path components: /latest/${t.phoneNumberId}/messages`);
    await graphError(await graph(`/v24/${t.phoneNumberId}/messages`, { token: t.token, json: text }), 400, 2500);
  });

  it("the demo dataset is loaded at startup", async () => {
    const res = await env.META!.fetch("https://graph.facebook.com/__emulator/wabas/102290129340398");
    expect(res.status).toBe(200);
    const { waba } = (await res.json()) as { waba: { phoneNumbers: Array<{ metaPhoneNumberId: string }>; templates: unknown[] } };
    expect(waba.phoneNumbers.map((p) => p.metaPhoneNumberId)).toEqual(["106540352242922", "107394529103847"]);
    expect(waba.templates).toHaveLength(10);
  });
});
