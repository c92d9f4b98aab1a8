import { env } from "cloudflare:workers";
import { emulatorSettings, graph, GRAPH_ORIGIN, registerWaba, type TemplateInput, type WabaSettings } from "../helpers/emulator";

let counter = 0;
/** A Meta-style numeric id unique within the run (tests share one emulator instance). */
export function uniqueId(prefix: string): string {
  counter += 1;
  const random = Math.floor(Math.random() * 1e5).toString().padStart(5, "0");
  return `${prefix}${Date.now().toString().slice(-7)}${String(counter).padStart(3, "0")}${random}`.slice(0, 16);
}

export const TEMPLATES: TemplateInput[] = [
  { name: "order_update", language: "en_US", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "Hi {{1}}, order {{2}} has shipped." }] },
  { name: "order_update", language: "hi_IN", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "नमस्ते {{1}}, ऑर्डर {{2}} भेजा गया।" }] },
  {
    name: "welcome_named", language: "en_US", category: "MARKETING", status: "APPROVED", parameterFormat: "NAMED",
    components: [{ type: "BODY", text: "Welcome {{first_name}}, use {{code}} today." }],
  },
  {
    name: "promo_image", language: "en_US", category: "MARKETING", status: "APPROVED",
    components: [
      { type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1h"] } },
      { type: "BODY", text: "Hi {{1}}, look at this." },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Open", url: "https://x.example/deals/{{1}}" }, { type: "QUICK_REPLY", text: "Stop" }] },
    ],
  },
  { name: "no_params", language: "en", category: "UTILITY", status: "APPROVED", components: [{ type: "BODY", text: "Your parcel is on its way." }] },
  { name: "paused_one", language: "en_US", category: "MARKETING", status: "PAUSED", components: [{ type: "BODY", text: "Sale {{1}}" }] },
  { name: "disabled_one", language: "en_US", category: "MARKETING", status: "DISABLED", components: [{ type: "BODY", text: "Sale {{1}}" }] },
  { name: "pending_one", language: "en_US", category: "UTILITY", status: "PENDING", components: [{ type: "BODY", text: "Hello {{1}}" }] },
];

export type TestWaba = Awaited<ReturnType<typeof freshWaba>>;

/**
 * A WABA with one phone number (+1 555 …), the TEMPLATES above, and by default no status webhooks and
 * no webhook retries, so tests that are not about webhooks produce none.
 */
export async function freshWaba(opts: { templates?: TemplateInput[]; settings?: Partial<WabaSettings> } = {}) {
  const wabaId = uniqueId("2");
  const phoneNumberId = uniqueId("3");
  const token = `EAAGtest${uniqueId("9")}`;
  const displayPhoneNumber = `+1 555-${phoneNumberId.slice(-3)}-${phoneNumberId.slice(-7, -3)}`;
  const waba = await registerWaba({
    metaWabaId: wabaId,
    accessToken: token,
    phoneNumbers: [{ metaPhoneNumberId: phoneNumberId, displayPhoneNumber }],
    templates: opts.templates ?? TEMPLATES,
  });
  await emulatorSettings(wabaId, { statusDelaysMs: [], webhookRetries: 0, ...opts.settings });
  const send = (message: Record<string, unknown>, version = "v24.0", tokenOverride?: string) =>
    graph(`/${version}/${phoneNumberId}/messages`, { token: tokenOverride ?? token, json: { messaging_product: "whatsapp", ...message } });
  return { wabaId, phoneNumberId, token, displayPhoneNumber, waba, send };
}

export const USER = "+16505551234";
export const USER_WA_ID = "16505551234";

export async function body(res: Response): Promise<any> {
  return res.json();
}

/** Asserts Graph's error envelope and returns its `error` object. */
export async function graphError(res: Response, status: number, code: number) {
  const json = await body(res);
  if (res.status !== status || json?.error?.code !== code) {
    throw new Error(`expected HTTP ${status} code ${code}, got ${res.status} ${JSON.stringify(json)}`);
  }
  const error = json.error;
  if (typeof error.fbtrace_id !== "string" || !/^[A-Za-z0-9_-]{23}$/.test(error.fbtrace_id)) throw new Error(`bad fbtrace_id ${error.fbtrace_id}`);
  return error;
}

/** A control route's raw answer (the helpers throw on non-2xx), for testing its 4xx: GET without a body, POST with one. */
export function controlRequest(path: string, json?: unknown): Promise<Response> {
  return env.META!.fetch(`${GRAPH_ORIGIN}/__emulator${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: json === undefined ? undefined : { "Content-Type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
}

/** Asserts the control API's error shape and status; returns the message. */
export async function controlError(res: Response, status: 400 | 404 | 409): Promise<string> {
  const json = await body(res);
  if (res.status !== status || typeof json?.error?.message !== "string") throw new Error(`expected ${status} with the emulator's error shape, got ${res.status} ${JSON.stringify(json)}`);
  return json.error.message;
}
