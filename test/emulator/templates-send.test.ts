import { describe, expect, it } from "vitest";
import { body, freshWaba, graphError, USER } from "./fixtures";

const bodyParams = (...values: string[]) => ({ type: "body", parameters: values.map((text) => ({ type: "text", text })) });
const template = (name: string, code: string, components: unknown[] = []) => ({ to: USER, type: "template", template: { name, language: { code }, components } });

describe("template sends", () => {
  it("HTTP 404 132001 when name+language does not exist", async () => {
    const { send } = await freshWaba();
    const error = await graphError(await send(template("nope", "en_US")), 404, 132001);
    expect(error).toEqual({
      message: "(#132001) Template name does not exist in the translation",
      type: "OAuthException",
      code: 132001,
      error_data: { messaging_product: "whatsapp", details: "template name (nope) does not exist in en_US" },
      fbtrace_id: expect.any(String),
    });
    // the name exists, but not in this language
    const lang = await graphError(await send(template("order_update", "es", [bodyParams("a", "b")])), 404, 132001);
    expect(lang.error_data.details).toBe("template name (order_update) does not exist in es");
  });

  it("132001 for a template that is not approved (PENDING)", async () => {
    const { send } = await freshWaba();
    const error = await graphError(await send(template("pending_one", "en_US", [bodyParams("a")])), 404, 132001);
    expect(error.error_data.details).toBe("template name (pending_one) does not exist in en_US");
  });

  it("132015 for a paused template, 132016 for a disabled one", async () => {
    const { send } = await freshWaba();
    const paused = await graphError(await send(template("paused_one", "en_US", [bodyParams("a")])), 400, 132015);
    expect(paused.message).toBe("(#132015) Template is Paused");
    const disabled = await graphError(await send(template("disabled_one", "en_US", [bodyParams("a")])), 400, 132016);
    expect(disabled.message).toBe("(#132016) Template is Disabled");
  });

  it("132000 when the body parameter count differs from the positional {{n}} count", async () => {
    const { send } = await freshWaba();
    const error = await graphError(await send(template("order_update", "en_US", [bodyParams("Jessica")])), 400, 132000);
    expect(error).toMatchObject({
      message: "(#132000) Number of parameters does not match the expected number of params",
      error_data: { details: "body: number of localizable_params (1) does not match the expected number of params (2)" },
    });
    const none = await graphError(await send(template("order_update", "en_US")), 400, 132000);
    expect(none.error_data.details).toBe("body: number of localizable_params (0) does not match the expected number of params (2)");
    const extra = await graphError(await send(template("no_params", "en", [bodyParams("x")])), 400, 132000);
    expect(extra.error_data.details).toBe("body: number of localizable_params (1) does not match the expected number of params (0)");
  });

  it("accepts the right count, the legacy deterministic policy and a template without parameters", async () => {
    const { send } = await freshWaba();
    expect((await send(template("order_update", "hi_IN", [bodyParams("आरव", "4827")]))).status).toBe(200);
    expect((await send({ to: USER, type: "template", template: { name: "no_params", language: { policy: "deterministic", code: "en" } } })).status).toBe(200);
  });

  it("NAMED templates count parameters by parameter_name, in any order", async () => {
    const { send } = await freshWaba();
    const named = (...pairs: Array<[string, string]>) => ({
      type: "body",
      parameters: pairs.map(([parameter_name, text]) => ({ type: "text", parameter_name, text })),
    });
    const ok = await send(template("welcome_named", "en_US", [named(["code", "SAVE10"], ["first_name", "Ada"])]));
    expect((await body(ok)).messages[0].message_status).toBe("accepted");
    const short = await graphError(await send(template("welcome_named", "en_US", [named(["first_name", "Ada"])])), 400, 132000);
    expect(short.error_data.details).toBe("body: number of localizable_params (1) does not match the expected number of params (2)");
    const repeated = await graphError(await send(template("welcome_named", "en_US", [named(["first_name", "Ada"], ["first_name", "Bo"])])), 400, 132000);
    expect(repeated.error_data.details).toBe("body: number of localizable_params (1) does not match the expected number of params (2)");
    await graphError(await send(template("welcome_named", "en_US", [bodyParams("Ada", "SAVE10")])), 400, 132012);
  });

  it("132012 when a media header parameter is missing or of the wrong type; 131008 for a dynamic URL button without its parameter", async () => {
    const { send } = await freshWaba();
    const url = { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "summer" }] };
    const missing = await graphError(await send(template("promo_image", "en_US", [bodyParams("Ada"), url])), 400, 132012);
    expect(missing.error_data.details).toBe("header: Format mismatch, expected IMAGE, received UNKNOWN");
    const video = { type: "header", parameters: [{ type: "video", video: { id: "1" } }] };
    const wrong = await graphError(await send(template("promo_image", "en_US", [video, bodyParams("Ada"), url])), 400, 132012);
    expect(wrong.error_data.details).toBe("header: Format mismatch, expected IMAGE, received VIDEO");
    const image = { type: "header", parameters: [{ type: "image", image: { link: "https://x.example/p.jpg" } }] };
    const noButton = await graphError(await send(template("promo_image", "en_US", [image, bodyParams("Ada")])), 400, 131008);
    expect(noButton.error_data.details).toBe("buttons: Button at index 0 of type Url requires a parameter");
    expect((await send(template("promo_image", "en_US", [image, bodyParams("Ada"), url]))).status).toBe(200);
  });

  it("132018 for a body parameter with a newline", async () => {
    const { send } = await freshWaba();
    await graphError(await send(template("order_update", "en_US", [bodyParams("Ada\nLovelace", "1")])), 400, 132018);
  });
});
