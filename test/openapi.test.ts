import { describe, expect, it, vi } from "vitest";
import type { z } from "@hono/zod-openapi";
import { createApp } from "../src/app";
import { SCOPES } from "../src/auth/scopes";
import { WEBHOOK_EVENT_TYPES } from "../src/data-plane/schema";
import { CreateContactBody, UpdateContactBody } from "../src/routes/contacts/contacts.schemas";
import { SendInteractiveBody, SendLocationBody, SendMediaBody, SendTemplateBody, SendTextBody } from "../src/routes/messages/messages.schemas";
import { CreateWebhookBody, UpdateWebhookBody } from "../src/routes/webhooks/webhooks.schemas";
import { api, jsonOf } from "./helpers/api";
import { addFault } from "./helpers/emulator";
import { createMessagingTenant, inboundFrom } from "./helpers/messaging";
import { addKey, createTenant } from "./helpers/tenant";
import { wabaSql } from "./helpers/waba";

// The document integrators and SDK generators read (the lint runs in `npm run openapi:check`): every
// public route and only those, each with an operationId, a declared tag and its scope in words, examples
// that are valid requests and send nothing optional, and response headers that real answers carry.

type Doc = any;
const METHODS = ["get", "put", "post", "delete", "patch"];
const SEND_PATHS = ["/v1/messages/text", "/v1/messages/template", "/v1/messages/media", "/v1/messages/interactive", "/v1/messages/location"];

const documentOf = async (): Promise<Doc> => jsonOf(await api("/v1/openapi.json"));

/** Every operation of the document: paths, then webhooks. */
function operations(doc: Doc, section: "paths" | "webhooks" = "paths"): Array<{ method: string; path: string; op: any; label: string }> {
  return Object.entries<Record<string, any>>(doc[section] ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method], label: `${method.toUpperCase()} ${path}` })),
  );
}

/** Follows a local $ref ("#/components/headers/X-Request-Id"). */
function resolve(doc: Doc, node: any): any {
  while (node && typeof node.$ref === "string") node = node.$ref.slice(2).split("/").reduce((o: any, k: string) => o?.[k], doc);
  return node;
}

describe("GET /v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document listing every public route with its security and error responses, and no operator route", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
    const doc = await jsonOf(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });

    // /meta (Meta's webhook, the sandbox's) and /admin are operator plumbing
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith("/v1/"))).toEqual([]);
    const documented = new Set(operations(doc).map(({ method, path }) => `${method.toUpperCase()} ${path}`));
    const served = createApp()
      .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/") && r.path !== "/v1/openapi.json")
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(new Set(served)).toEqual(documented);

    for (const { op, label } of operations(doc)) {
      expect(op.security, label).toEqual([{ bearerAuth: [] }]);
      for (const status of ["401", "429", "500"]) expect(op.responses[status], `${label} ${status}`).toBeDefined();
      expect(op.responses["401"].description).toContain("INVALID_API_KEY");
      expect(op.responses["429"].headers["Retry-After"]).toBeDefined();
    }
  });

  it("gives every operation a unique camelCase operationId and a tag declared with a description", async () => {
    const doc = await documentOf();
    const all = [...operations(doc), ...operations(doc, "webhooks")];
    const ids = all.map(({ op }) => op.operationId);
    for (const { op, label } of all) expect(op.operationId, label).toMatch(/^[a-z][A-Za-z0-9]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(SEND_PATHS.map((p) => doc.paths[p].post.operationId)).toEqual(["sendTextMessage", "sendTemplateMessage", "sendMediaMessage", "sendInteractiveMessage", "sendLocationMessage"]);
    expect(doc.paths["/v1/contacts"].get.operationId).toBe("listContacts");

    const declared = new Map<string, string>(doc.tags.map((t: { name: string; description: string }) => [t.name, t.description]));
    const used = new Set<string>();
    for (const { op, label } of all) {
      expect(op.tags?.length, `${label} has no tag`).toBeGreaterThan(0);
      for (const tag of op.tags) {
        expect(declared.has(tag), `${label}: tag "${tag}" is not declared`).toBe(true);
        used.add(tag);
      }
    }
    for (const [name, description] of declared) {
      expect(description.length, `tag ${name} has no description`).toBeGreaterThan(20);
      expect(used.has(name), `tag ${name} is declared but unused`).toBe(true);
    }
  });

  it("states each operation's scope in its description, as x-required-scope says", async () => {
    const doc = await documentOf();
    const scopes = new Set<string>();
    for (const { op, label } of operations(doc)) {
      const scope = op["x-required-scope"];
      if (label === "GET /v1/key") expect(scope).toBeUndefined();
      else scopes.add(scope);
      expect(op.description, label).toMatch(scope ? new RegExp(`^\\*\\*Required scope:\\*\\* \`${scope}\`\\n\\n`) : /^\*\*Required scope:\*\* none/);
    }
    expect(scopes).toEqual(new Set(SCOPES));
  });

  it("the guide says what a hosted-API user needs: quick start, plans, rate-limit headers, test mode, webhook signatures", async () => {
    const { info } = await documentOf();
    for (const heading of ["## Quick start", "## Rate limits", "## Test mode", "## Errors", "## Webhooks: verifying signatures"]) expect(info.description).toContain(heading);
    for (const row of ["| Starter | 60 | 15 |", "| Growth | 600 | 120 |", "| Scale | 6,000 | 1,200 |"]) expect(info.description).toContain(row);
    for (const header of ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "Retry-After", "WBIZ-Signature"]) expect(info.description).toContain(header);
    for (const number of ["+15005550001", "+15005550002", "+15005550003", "131026", "130429", "131049"]) expect(info.description).toContain(number);
  });

  it("describes the events sent to integrators as OpenAPI webhooks, signed rather than keyed", async () => {
    const doc = await documentOf();
    expect(Object.keys(doc.webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    for (const type of ["message.sent", "message.delivered", "message.read", "message.failed", "message.received", "template.status_updated", "message.held", "message.played", "message.edited", "message.deleted", "contact.updated", "template.category_updated"]) {
      expect(doc.webhooks[type], type).toBeDefined();
      expect(doc.webhooks[type].post.security, type).toEqual([]);
      expect(doc.webhooks[type].post.description, type).toContain("WBIZ-Signature");
    }
    expect(doc.webhooks["message.read"].post.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/WebhookEvent");
    expect(doc.webhooks["message.read"].post.operationId).toBe("onMessageRead");
  });

  it("carries the spec's request examples, and the send routes pre-fill no Idempotency-Key or Prefer", async () => {
    const doc = await documentOf();
    expect(doc.components.schemas.SendTemplate.example).toMatchObject({ template: "order_shipped_v2", variables: ["Aarav", "4827", "tomorrow"] });
    for (const path of SEND_PATHS) {
      const all = doc.paths[path].post.parameters as Array<Record<string, unknown> & { name: string; in: string; schema: Record<string, unknown> }>;
      const params = all.filter((p) => p.in === "header");
      expect(params.map((p) => p.name).sort(), path).toEqual(["idempotency-key", "prefer"]);
      // ?dryRun is offered, never pre-filled
      expect(all.filter((p) => p.in === "query").map((p) => [p.name, p.required, p.example, p.schema.default]), path).toEqual([["dryRun", false, undefined, undefined]]);
      for (const p of params) {
        expect(p.required, `${path} ${p.name}`).toBe(false);
        for (const where of [p, p.schema]) for (const field of ["example", "examples", "default", "enum", "const"]) expect(where[field], `${path} ${p.name} ${field}`).toBeUndefined();
      }
      expect(JSON.stringify(doc.paths[path].post.requestBody), path).not.toMatch(/order-4827-shipped|respond-async"/);
    }
    // no operation pre-fills any header
    for (const { op, label } of operations(doc)) for (const p of op.parameters ?? []) if (p.in === "header") expect([p.example, p.examples, p.schema?.example], label).toEqual([undefined, undefined, undefined]);
  });

  it("states 'exactly one of' as oneOf: media by link or by id, interactive buttons or list by kind; every body example is a valid request", async () => {
    const doc = await documentOf();
    const schemas = doc.components.schemas;
    expect(schemas.SendMedia.oneOf).toEqual([{ $ref: "#/components/schemas/SendMediaByLink" }, { $ref: "#/components/schemas/SendMediaById" }]);
    expect(schemas.SendMediaByLink).toMatchObject({ required: expect.arrayContaining(["type", "link"]), additionalProperties: false });
    expect(schemas.SendMediaByLink.properties.mediaId).toBeUndefined();
    expect(schemas.SendMediaById).toMatchObject({ required: expect.arrayContaining(["type", "mediaId"]), additionalProperties: false });
    expect(schemas.SendMediaById.properties.link).toBeUndefined();
    expect(schemas.SendInteractive.discriminator).toEqual({
      propertyName: "kind",
      mapping: { buttons: "#/components/schemas/SendInteractiveButtons", list: "#/components/schemas/SendInteractiveList" },
    });
    expect(schemas.SendInteractiveButtons.required).toEqual(expect.arrayContaining(["kind", "body", "buttons"]));
    expect(schemas.SendInteractiveList.required).toEqual(expect.arrayContaining(["kind", "body", "listSections"]));

    // the document's examples against the schemas that validate requests
    const runtime: Record<string, z.ZodType> = {
      SendText: SendTextBody,
      SendTemplate: SendTemplateBody,
      SendMedia: SendMediaBody,
      SendMediaByLink: SendMediaBody,
      SendMediaById: SendMediaBody,
      SendInteractive: SendInteractiveBody,
      SendInteractiveButtons: SendInteractiveBody,
      SendInteractiveList: SendInteractiveBody,
      SendLocation: SendLocationBody,
      CreateContact: CreateContactBody,
      UpdateContact: UpdateContactBody,
      CreateWebhook: CreateWebhookBody,
      UpdateWebhook: UpdateWebhookBody,
    };
    for (const [name, schema] of Object.entries(runtime)) {
      if (schemas[name].example === undefined) continue;
      const parsed = schema.safeParse(schemas[name].example);
      expect(parsed.success, `${name}'s example: ${parsed.error?.message}`).toBe(true);
    }
    expect(Object.keys(runtime).filter((n) => n.startsWith("Send") && schemas[n].example === undefined)).toEqual([]);
  });

  it("types template components, and declares 405 with Allow on every operation", async () => {
    const doc = await documentOf();
    expect(doc.components.schemas.Template.properties.components.items).toEqual({ $ref: "#/components/schemas/TemplateComponent" });
    expect(Object.keys(doc.components.schemas.TemplateComponent.properties)).toEqual(["type", "format", "text", "example", "buttons"]);
    const methodNotAllowed = doc.components.responses.MethodNotAllowed;
    expect(methodNotAllowed.headers.Allow.required).toBe(true);
    for (const { op, label } of operations(doc)) expect(op.responses["405"], label).toEqual({ $ref: "#/components/responses/MethodNotAllowed" });
  });
});

// ---- the headers the document says answers carry, against real answers ---------------------------------------

/** The headers the document marks required on this operation's answer with this status. */
function requiredHeaders(doc: Doc, method: string, path: string, status: number): string[] {
  const response = resolve(doc, doc.paths[path]?.[method]?.responses?.[String(status)]);
  expect(response, `${method.toUpperCase()} ${path} does not document ${status}`).toBeDefined();
  return Object.entries<any>(response.headers ?? {})
    .filter(([, h]) => resolve(doc, h).required === true)
    .map(([name]) => name);
}

async function expectDocumentedHeaders(doc: Doc, method: string, path: string, res: Response, seen: Set<string>) {
  const required = requiredHeaders(doc, method, path, res.status);
  const missing = required.filter((name) => res.headers.get(name) === null);
  expect(missing, `${method.toUpperCase()} ${path} → ${res.status} ${await res.clone().text()}`).toEqual([]);
  seen.add(String(res.status));
}

describe("response headers declared required", () => {
  const ID = "0000000000000000000000ff";
  const fill = (path: string) => path.replace(/\{[^}]+\}/g, ID);

  it("are on every answer of every operation: 2xx and each error status a request can provoke", async () => {
    const doc = await documentOf();
    const t = await createTenant();
    const noScopes = await addKey(t, []);
    const seen = new Set<string>();
    for (const { method, path, op } of operations(doc)) {
      const url = fill(path);
      const hasBody = op.requestBody !== undefined;
      const call = (init: Parameters<typeof api>[1] = {}) => api(url, { method: method.toUpperCase(), ...init });
      await expectDocumentedHeaders(doc, method, path, await call(), seen); // 401: no key
      if (op["x-required-scope"]) await expectDocumentedHeaders(doc, method, path, await call({ key: noScopes.secret, ...(hasBody ? { json: {} } : {}) }), seen); // 403
      await expectDocumentedHeaders(doc, method, path, await call({ key: t.secret, ...(hasBody ? { json: {} } : {}) }), seen); // 400, 404 or 2xx
      if (hasBody) {
        await expectDocumentedHeaders(doc, method, path, await call({ key: t.secret, body: "{}", headers: { "Content-Type": "text/plain" } }), seen); // 415
        await expectDocumentedHeaders(doc, method, path, await call({ key: t.secret, json: { padding: "x".repeat(70_000) } }), seen); // 413
        await expectDocumentedHeaders(doc, method, path, await call({ key: t.secret, body: "{", headers: { "Content-Type": "application/json" } }), seen); // 400
      }
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(["200", "400", "401", "403", "404", "413", "415"]));
  });

  it("on sends: 200, 202, a replay, 409, 422 and 502", async () => {
    const doc = await documentOf();
    const t = await createMessagingTenant();
    await inboundFrom(t, "+919812345678");
    const seen = new Set<string>();
    const path = "/v1/messages/text";
    const send = (body: object, headers: Record<string, string> = {}) => api(path, { method: "POST", key: t.secret, json: body, headers });
    const body = { to: "+919812345678", body: "Hi! Your order #4827 has shipped." };

    await expectDocumentedHeaders(doc, "post", path, await send(body), seen);
    await expectDocumentedHeaders(doc, "post", path, await send(body, { Prefer: "respond-async" }), seen);
    const first = await send(body, { "Idempotency-Key": "headers-1" });
    const replay = await send(body, { "Idempotency-Key": "headers-1" });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    for (const res of [first, replay]) await expectDocumentedHeaders(doc, "post", path, res, seen);
    await expectDocumentedHeaders(doc, "post", path, await send({ ...body, body: "changed" }, { "Idempotency-Key": "headers-1" }), seen); // 422

    const outbound = async () => (await wabaSql<{ n: number }>(t, `SELECT count(*) AS n FROM messages WHERE direction = 'outbound'`))[0]!.n;
    const stored = await outbound();
    await addFault({ phoneNumberId: t.defaultPhone, action: "slow", ms: 800 });
    const inFlight = send(body, { "Idempotency-Key": "headers-2" });
    // the first request has stored its message and waits for Meta
    await vi.waitFor(async () => expect(await outbound()).toBe(stored + 1), { timeout: 5000, interval: 10 });
    await expectDocumentedHeaders(doc, "post", path, await send(body, { "Idempotency-Key": "headers-2" }), seen); // 409 while the first waits
    await expectDocumentedHeaders(doc, "post", path, await inFlight, seen);

    await addFault({ phoneNumberId: t.defaultPhone, action: "error", code: 131026, status: 400 });
    await expectDocumentedHeaders(doc, "post", path, await send({ ...body, body: "to Meta's refusal" }), seen); // 502
    expect([...seen].sort()).toEqual(["200", "202", "409", "422", "502"]);
  });

  it("on 405 (Allow), on 429 (Retry-After) and on a created contact (WBIZ-Contact-Created)", async () => {
    const doc = await documentOf();
    const t = await createTenant({ plan: "starter" });
    const seen = new Set<string>();

    const wrongMethod = await api("/v1/key", { method: "DELETE", key: t.secret });
    expect(wrongMethod.status).toBe(405);
    const mna = doc.components.responses.MethodNotAllowed;
    for (const name of Object.keys(mna.headers).filter((n) => resolve(doc, mna.headers[n]).required)) expect(wrongMethod.headers.get(name), name).not.toBeNull();

    await expectDocumentedHeaders(doc, "post", "/v1/contacts", await api("/v1/contacts", { method: "POST", key: t.secret, json: { phone: "+919812300001" } }), seen);
    // the burst window is aligned to the clock: pin it to the start of one, so the flood cannot straddle two
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2030, 0, 1, 12, 0, 0));
    let last: Response | undefined;
    try {
      for (let i = 0; i < 20 && last?.status !== 429; i++) last = await api("/v1/key", { key: t.secret });
    } finally {
      vi.useRealTimers();
    }
    expect(last!.status).toBe(429);
    await expectDocumentedHeaders(doc, "get", "/v1/key", last!, seen);
    expect([...seen].sort()).toEqual(["200", "429"]);
  });
});
