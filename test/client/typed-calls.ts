// Type-checked, never run as a test: `npm run typecheck` (tsc -p .) compiles a call to every /v1
// operation with the types generated from the OpenAPI document (client/src/openapi.ts). `CALLS` must
// name exactly the client's operations (the `satisfies` below fails otherwise), and
// coverage.test.ts checks that those are exactly the /v1 operations of the live document. The
// `@ts-expect-error` lines prove that wrong calls do not compile: were they accepted, tsc would fail on
// the unused directive.
import { unwrap, type HttpMethod, type PathsWith, type Schemas, type WbizClient } from "../../client/src/index";

/** "GET /v1/contacts/{id}", … : every operation the generated types give the client. */
export type ClientOperation = { [M in HttpMethod]: `${Uppercase<M>} ${PathsWith<M>}` }[HttpMethod];

const ID = "65fc2e1b9a8b1c0d2e3f4a5b";

/** The value, if its type is known: an `any` would make every check below pass. */
function known<T>(value: T, ..._notAny: 0 extends 1 & T ? ["this is any"] : []): T {
  return value;
}

export const CALLS = {
  "GET /v1/key": async (wbiz) => {
    const key = known(await unwrap(wbiz.GET("/v1/key")));
    const plan: "starter" | "growth" | "scale" = key.plan;
    const scopes: string[] = key.scopes;
    return [plan, scopes];
  },
  "GET /v1/templates": async (wbiz) => {
    const page = known(await unwrap(wbiz.GET("/v1/templates", { query: { status: "approved", category: "utility", language: "en_US", limit: 25 } })));
    const next: string | null = page.nextCursor;
    // @ts-expect-error status is an enum of the document
    await wbiz.GET("/v1/templates", { query: { status: "APPROVED" } });
    return [page.data[0]?.name, next];
  },
  "POST /v1/templates": async (wbiz) => {
    const body = { name: "delivery_window", language: "en_US", category: "utility", components: [{ type: "BODY", text: "Hi {{1}}.", example: { body_text: [["Aarav"]] } }] };
    const created = known(await unwrap(wbiz.POST("/v1/templates", { body })));
    const status: string = created.status;
    // @ts-expect-error name is required
    await wbiz.POST("/v1/templates", { body: { language: "en_US", category: "utility", components: [] } });
    return [created.id, status];
  },
  "GET /v1/templates/{template}": async (wbiz) => {
    const template = known(await unwrap(wbiz.GET("/v1/templates/{template}", { path: { template: ID } })));
    // @ts-expect-error the path parameter is required
    await wbiz.GET("/v1/templates/{template}");
    return template.rejectedReason;
  },
  "PATCH /v1/templates/{template}": async (wbiz) => {
    const edited = known(await unwrap(wbiz.PATCH("/v1/templates/{template}", { path: { template: ID }, body: { components: [{ type: "BODY", text: "Hello {{1}}.", example: { body_text: [["Aarav"]] } }] } })));
    return edited.status;
  },
  "DELETE /v1/templates/{template}": async (wbiz) => {
    const gone = known(await unwrap(wbiz.DELETE("/v1/templates/{template}", { path: { template: "delivery_window" }, query: { language: "en_US" } })));
    return gone.deleted.map((d) => d.language);
  },
  "GET /v1/contacts": async (wbiz) => {
    const page = known(await unwrap(wbiz.GET("/v1/contacts", { query: { search: "Aarav", tag: "vip", optedIn: true, limit: 50, cursor: ID } })));
    const first: Schemas["Contact"] | undefined = page.data[0];
    // @ts-expect-error limit is an integer: a number, not a string
    await wbiz.GET("/v1/contacts", { query: { limit: "50" } });
    // @ts-expect-error no such query parameter
    await wbiz.GET("/v1/contacts", { query: { page: 2 } });
    return first;
  },
  "POST /v1/contacts": async (wbiz) => {
    const res = await wbiz.POST("/v1/contacts", { body: { phone: "+919812345678", name: "Aarav Sharma", tags: ["vip"], customFields: { city: "Delhi" } } });
    if (res.ok) return known(res.data).id;
    const code: Schemas["Error"]["error"]["code"] | undefined = res.data?.error.code;
    // @ts-expect-error phone is required
    await wbiz.POST("/v1/contacts", { body: { name: "Aarav Sharma" } });
    return code;
  },
  "GET /v1/contacts/{id}": async (wbiz) => {
    const contact = known(await unwrap(wbiz.GET("/v1/contacts/{id}", { path: { id: ID } })));
    // @ts-expect-error the path parameter is required
    await wbiz.GET("/v1/contacts/{id}");
    return contact.optedIn;
  },
  "PATCH /v1/contacts/{id}": async (wbiz) => {
    const contact = known(await unwrap(wbiz.PATCH("/v1/contacts/{id}", { path: { id: ID }, body: { name: null, tags: ["vip", "gold"], customFields: { tier: "platinum", city: null } } })));
    // @ts-expect-error tags is a list of strings
    await wbiz.PATCH("/v1/contacts/{id}", { path: { id: ID }, body: { tags: "vip" } });
    return contact.tags;
  },
  "GET /v1/conversations": async (wbiz) => {
    const page = known(await unwrap(wbiz.GET("/v1/conversations", { query: { status: "open", channel: "whatsapp", limit: 10 } })));
    const unread: number | undefined = page.data[0]?.unreadCount;
    return unread;
  },
  "GET /v1/conversations/{id}/messages": async (wbiz) => {
    const page = known(await unwrap(wbiz.GET("/v1/conversations/{id}/messages", { path: { id: ID }, query: { limit: 200, beforeId: ID } })));
    const direction: "inbound" | "outbound" | undefined = page.data[0]?.direction;
    return direction;
  },
  "POST /v1/messages/text": async (wbiz) => {
    const sent = known(await unwrap(wbiz.POST("/v1/messages/text", { body: { to: "+919812345678", body: "Your order #4827 has shipped." }, header: { "idempotency-key": "order-4827-shipped", prefer: "wait=5" } })));
    // 200 {wamid} or 202 {id, status: "queued"}
    const wamidOrQueued: string = "wamid" in sent ? sent.wamid : sent.status;
    // @ts-expect-error wrong body field: `text` is not a field of SendText (`body` is)
    await wbiz.POST("/v1/messages/text", { body: { to: "+919812345678", text: "hi" } });
    // @ts-expect-error a send has a body
    await wbiz.POST("/v1/messages/text");
    return wamidOrQueued;
  },
  "POST /v1/messages/template": async (wbiz) => {
    const res = await wbiz.POST("/v1/messages/template", {
      body: { to: "+919812345678", template: "order_shipped_v2", language: "en_US", variables: ["Aarav", "#4827"], components: [{ type: "button", sub_type: "url", index: 0, parameters: [{ type: "text", text: "4827" }] }] },
    });
    if (res.status === 202) return known(res.data).id;
    // a 200 is Meta's wamid, or (with ?dryRun=true) what would happen
    return res.ok ? ("wamid" in res.data ? res.data.wamid : res.data.status) : res.data?.error.message;
  },
  "POST /v1/messages/media": async (wbiz) => {
    const sent = known(await unwrap(wbiz.POST("/v1/messages/media", { body: { to: "+919812345678", type: "document", link: "https://example.com/invoice-4827.pdf", filename: "invoice-4827.pdf" } })));
    // @ts-expect-error type is an enum of the document
    await wbiz.POST("/v1/messages/media", { body: { to: "+919812345678", type: "gif", link: "https://example.com/a.gif" } });
    return sent;
  },
  "POST /v1/messages/interactive": async (wbiz) =>
    known(await unwrap(wbiz.POST("/v1/messages/interactive", { body: { to: "+919812345678", kind: "buttons", body: "Confirm delivery?", buttons: [{ id: "yes", title: "Yes" }, { id: "no", title: "No" }] } }))),
  "POST /v1/messages/location": async (wbiz) => {
    const res = await wbiz.POST("/v1/messages/location", { body: { to: "+919812345678", latitude: 12.9716, longitude: 77.5946, name: "WBIZ HQ" }, header: { prefer: "respond-async" } });
    // @ts-expect-error latitude is a number
    await wbiz.POST("/v1/messages/location", { body: { to: "+919812345678", latitude: "12.9716", longitude: 77.5946 } });
    return res.status === 202 ? known(res.data).status : undefined;
  },
  "DELETE /v1/messages/{id}": async (wbiz) => {
    const cancelled: "cancelled" = known(await unwrap(wbiz.DELETE("/v1/messages/{id}", { path: { id: ID } }))).status;
    return cancelled;
  },
  "POST /v1/campaigns": async (wbiz) => {
    const res = await wbiz.POST("/v1/campaigns", {
      body: { template: "order_shipped_v2", language: "en_US", sendAt: "2026-12-24T09:00:00Z", recipients: [{ to: "+919812345678", variables: ["Aarav", "4827", "tomorrow"] }] },
      query: { dryRun: "true" },
    });
    if (res.status === 200) return known(res.data).estimatedSeconds;
    // @ts-expect-error recipients are required
    await wbiz.POST("/v1/campaigns", { body: { template: "order_shipped_v2", language: "en_US" } });
    return res.status === 201 ? known(res.data).skipped.map((s) => s.reason) : undefined;
  },
  "GET /v1/campaigns": async (wbiz) => known(await unwrap(wbiz.GET("/v1/campaigns", { query: { limit: 10 } }))).data.map((c) => c.counts.sent),
  "GET /v1/campaigns/{id}": async (wbiz) => {
    const state: "scheduled" | "running" | "paused" | "completed" | "cancelled" = known(await unwrap(wbiz.GET("/v1/campaigns/{id}", { path: { id: ID } }))).state;
    return state;
  },
  "GET /v1/campaigns/{id}/recipients": async (wbiz) =>
    known(await unwrap(wbiz.GET("/v1/campaigns/{id}/recipients", { path: { id: ID }, query: { status: "failed", limit: 100 } }))).data.map((r) => r.error?.code),
  "POST /v1/campaigns/{id}/recipients": async (wbiz) =>
    known(await unwrap(wbiz.POST("/v1/campaigns/{id}/recipients", { path: { id: ID }, body: { recipients: [{ to: "+919812345679", variables: ["Meera", "4828", "today"] }] } }))).recipients,
  "POST /v1/campaigns/{id}/pause": async (wbiz) => known(await unwrap(wbiz.POST("/v1/campaigns/{id}/pause", { path: { id: ID } }))).state,
  "POST /v1/campaigns/{id}/resume": async (wbiz) => known(await unwrap(wbiz.POST("/v1/campaigns/{id}/resume", { path: { id: ID } }))).state,
  "POST /v1/campaigns/{id}/cancel": async (wbiz) => known(await unwrap(wbiz.POST("/v1/campaigns/{id}/cancel", { path: { id: ID } }))).counts.cancelled,
  "POST /v1/media": async (wbiz) => {
    const form = new FormData();
    form.set("type", "image/jpeg");
    form.set("file", new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: "image/jpeg" }), "photo.jpg");
    const uploaded = known(await unwrap(wbiz.POST("/v1/media", { body: form })));
    const size: number = uploaded.fileSize;
    // @ts-expect-error an upload is multipart: a FormData, not a JSON object
    await wbiz.POST("/v1/media", { body: { type: "image/jpeg", file: "…" } });
    return [uploaded.id, size];
  },
  "GET /v1/messages/{id}/media": async (wbiz) => {
    const file = known(await unwrap(wbiz.GET("/v1/messages/{id}/media", { path: { id: ID } })));
    const bytes: Blob = file;
    return bytes.size;
  },
  "GET /v1/messages/{id}": async (wbiz) => {
    const message = known(await unwrap(wbiz.GET("/v1/messages/{id}", { path: { id: ID } })));
    return message.status;
  },
  "POST /v1/webhooks": async (wbiz) => {
    const created = known(await unwrap(wbiz.POST("/v1/webhooks", { body: { url: "https://example.com/hooks/wbiz", events: ["message.delivered", "message.read"], description: "orders" } })));
    const secret: string = created.secret;
    // @ts-expect-error events are the document's event names
    await wbiz.POST("/v1/webhooks", { body: { url: "https://example.com/hooks/wbiz", events: ["message.opened"] } });
    return secret;
  },
  "GET /v1/webhooks": async (wbiz) => known(await unwrap(wbiz.GET("/v1/webhooks", { query: { limit: 10 } }))).data.map((w) => w.url),
  "GET /v1/webhooks/{id}": async (wbiz) => known(await unwrap(wbiz.GET("/v1/webhooks/{id}", { path: { id: ID } }))).enabled,
  "PATCH /v1/webhooks/{id}": async (wbiz) => known(await unwrap(wbiz.PATCH("/v1/webhooks/{id}", { path: { id: ID }, body: { enabled: false, description: null } }))).updatedAt,
  "DELETE /v1/webhooks/{id}": async (wbiz) => {
    const nothing: undefined = await unwrap(wbiz.DELETE("/v1/webhooks/{id}", { path: { id: ID } }));
    return nothing;
  },
  "POST /v1/webhooks/{id}/rotate-secret": async (wbiz) => known(await unwrap(wbiz.POST("/v1/webhooks/{id}/rotate-secret", { path: { id: ID } }))).secret,
  "GET /v1/webhooks/{id}/deliveries": async (wbiz) => {
    const page = known(await unwrap(wbiz.GET("/v1/webhooks/{id}/deliveries", { path: { id: ID }, query: { status: "failed", limit: 25 } })));
    return page.data[0]?.attempts;
  },
  "POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay": async (wbiz) => {
    const delivery = known(await unwrap(wbiz.POST("/v1/webhooks/{id}/deliveries/{deliveryId}/replay", { path: { id: ID, deliveryId: ID } })));
    // @ts-expect-error both path parameters are required
    await wbiz.POST("/v1/webhooks/{id}/deliveries/{deliveryId}/replay", { path: { id: ID } });
    return delivery.status;
  },
} satisfies { [Op in ClientOperation]: (wbiz: WbizClient) => Promise<unknown> };

// What the client does not have at all.
export async function notOperations(wbiz: WbizClient) {
  // @ts-expect-error not a path of the document
  await wbiz.GET("/v1/contact");
  // @ts-expect-error POST-only path
  await wbiz.GET("/v1/messages/text");
  // @ts-expect-error the Meta webhook is not an integrator's operation
  await wbiz.POST("/meta/webhook");
  // @ts-expect-error the API has no PUT
  await wbiz.PUT("/v1/contacts/{id}", { path: { id: ID } });
  // @ts-expect-error a GET has no body
  await wbiz.GET("/v1/key", { body: {} });
}
