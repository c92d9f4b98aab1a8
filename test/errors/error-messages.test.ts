import { describe, expect, it } from "vitest";
import { api, jsonOf } from "../helpers/api";
import { createMessagingTenant, type MessagingTenant } from "../helpers/messaging";

// What a newcomer reads when a request is refused: the message alone must say what is wrong and what to
// do (many only log `error.message`); `details` carries the same per field.

type Case = {
  name: string;
  path: string;
  body: string | unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  message: RegExp;
  details?: unknown;
};

const JSON_HEADERS = { "Content-Type": "application/json" };

const CASES: Case[] = [
  {
    name: "a missing field is named in the message",
    path: "/v1/contacts", body: { name: "Asha" }, status: 400, code: "VALIDATION_FAILED",
    message: /^phone: Required field is missing \(expected string\)$/, details: [{ field: "phone", message: "Required field is missing (expected string)" }],
  },
  {
    name: "every missing field is named, up to three",
    path: "/v1/messages/template", body: { to: "+919812345678" }, status: 400, code: "VALIDATION_FAILED",
    message: /^template: Required field is missing \(expected string\); language: Required field is missing \(expected string\)$/,
  },
  {
    name: "malformed JSON is about the request body, not a field called body",
    path: "/v1/messages/text", body: '{"to": "+919812345678", "body": "hi"', headers: JSON_HEADERS, status: 400, code: "VALIDATION_FAILED",
    message: /^Request body is not valid JSON/, details: [{ message: "Request body is not valid JSON" }],
  },
  {
    name: "a body that is not an object is about the request body",
    path: "/v1/messages/text", body: "[1,2]", headers: JSON_HEADERS, status: 400, code: "VALIDATION_FAILED",
    message: /^Request body: Invalid input: expected object, received array$/,
  },
  {
    name: "the text message's own `body` field keeps its name",
    path: "/v1/messages/text", body: { to: "+919812345678" }, status: 400, code: "VALIDATION_FAILED",
    message: /^body: Required field is missing/, details: [{ field: "body", message: "Required field is missing (expected string)" }],
  },
  {
    name: "415 names the header to send",
    path: "/v1/messages/text", body: "to=%2B919812345678", headers: { "Content-Type": "application/x-www-form-urlencoded" }, status: 415, code: "UNSUPPORTED_MEDIA_TYPE",
    message: /^Content-Type "application\/x-www-form-urlencoded" is not accepted: send the header "Content-Type: application\/json"/,
  },
  {
    name: "TEMPLATE_NOT_FOUND suggests the nearest names",
    path: "/v1/messages/template", body: { to: "+919812345678", template: "order_shiped_v2", language: "en_US", variables: ["4827"] }, status: 404, code: "TEMPLATE_NOT_FOUND",
    message: /^No template named order_shiped_v2 exists on this WABA; did you mean order_shipped_v2\?$/, details: [{ field: "template", message: "did you mean: order_shipped_v2" }],
  },
  {
    name: "TEMPLATE_NOT_FOUND with nothing close points at the template list",
    path: "/v1/messages/template", body: { to: "+919812345678", template: "zzzzzzzzzzzz", language: "en_US" }, status: 404, code: "TEMPLATE_NOT_FOUND",
    message: /; GET \/v1\/templates lists the templates you can send$/,
  },
];

describe("error messages say what is wrong and what to do", () => {
  let t: MessagingTenant;
  it.each(CASES)("$name", async (c) => {
    t ??= await createMessagingTenant();
    const raw = typeof c.body === "string";
    const res = await api(c.path, { method: "POST", key: t.secret, ...(raw ? { body: c.body as string, headers: c.headers } : { json: c.body }) });
    expect(res.status).toBe(c.status);
    const { error } = await jsonOf(res);
    expect(error.code).toBe(c.code);
    expect(error.message).toMatch(c.message);
    if (c.details) expect(error.details).toEqual(c.details);
  });

  it("reusing an Idempotency-Key with another body: 422, and the message says to use a new key", async () => {
    t ??= await createMessagingTenant();
    const send = (body: string) =>
      api("/v1/messages/template", {
        method: "POST", key: t.secret, headers: { "Idempotency-Key": "order-4827-shipped", Prefer: "respond-async" },
        json: { to: "+919812345678", template: "order_shipped_v2", language: "en_US", variables: [body, "4827", "tomorrow"] },
      });
    expect((await send("4827")).status).toBe(202);
    const res = await send("4828");
    expect(res.status).toBe(422);
    const { error } = await jsonOf(res);
    expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(error.message).toMatch(/send a new, unique Idempotency-Key for each new request/);
  });

  it("GET / points to the reference at /docs", async () => {
    const res = await api("/", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/docs");
  });
});
