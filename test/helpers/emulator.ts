// Helpers for steering the Meta Cloud API emulator (emulator/README.md) from tests, through env.META.
import { env } from "cloudflare:workers";
import type { FaultInput, FaultRule } from "../../emulator/src/faults";
import type { WabaSettings } from "../../emulator/src/settings";
import type { ReadRecord, SentRecord, Template, Waba, WebhookRecord } from "../../emulator/src/store";
import type { EmulatedUser } from "../../emulator/src/users";

export type { EmulatedUser, FaultInput, FaultRule, ReadRecord, SentRecord, WabaSettings, WebhookRecord };

export const GRAPH_ORIGIN = "https://graph.facebook.com";

function emulator(): Fetcher {
  if (!env.META) throw new Error("env.META (the Cloud API emulator binding) is missing");
  return env.META;
}

async function control<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const res = await emulator().fetch(`${GRAPH_ORIGIN}/__emulator${path}`, {
    method,
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${method} ${path} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

function query(params: Record<string, string | undefined>): string {
  const defined = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return defined.length ? `?${new URLSearchParams(defined)}` : "";
}

export type TemplateInput = Partial<Omit<Template, "name" | "language">> & Pick<Template, "name" | "language">;
export type WabaInput = Omit<Waba, "name" | "templates" | "phoneNumbers"> & {
  name?: string;
  phoneNumbers: Array<{ metaPhoneNumberId: string; displayPhoneNumber: string; verifiedName?: string }>;
  templates?: TemplateInput[];
};

/** Adds or replaces a WABA on the emulator (Meta's side): its token, phone numbers and templates. */
export async function registerWaba(waba: WabaInput): Promise<Waba> {
  return (await control<{ waba: Waba }>("POST", "/wabas", waba)).waba;
}

/** Sends the emulator accepted (answered 200) from this phone number, oldest first. */
export async function emulatorSends(phoneNumberId: string, to?: string): Promise<SentRecord[]> {
  return (await control<{ data: SentRecord[] }>("GET", `/sent${query({ phoneNumberId, to })}`)).data;
}

/** What the number was asked to send: accepted, refused for pace, and accepted twice for one message id. */
export async function emulatorStats(phoneNumberId: string): Promise<{ phoneNumberId: string; accepted: number; refused: { 130429: number; 131056: number }; duplicates: number }> {
  return control("GET", `/stats${query({ phoneNumberId })}`);
}

/** Mark-as-read calls the emulator accepted from this phone number. */
export async function emulatorReads(phoneNumberId: string): Promise<ReadRecord[]> {
  return (await control<{ data: ReadRecord[] }>("GET", `/reads${query({ phoneNumberId })}`)).data;
}

/** A webhook the emulator just POSTed: its id in the webhook log and the API's answer (null on a network error). */
export type WebhookRef = { id: number; httpStatus: number | null };

/** Webhooks the emulator POSTed for this WABA (raw body, signature, HTTP status the API returned). */
export async function emulatorWebhooks(metaWabaId: string, filter: { wamid?: string; kind?: WebhookRecord["kind"] } = {}): Promise<WebhookRecord[]> {
  return (await control<{ data: WebhookRecord[] }>("GET", `/webhooks${query({ wabaId: metaWabaId, ...filter })}`)).data;
}

/**
 * The next matching send(s) get this fault (an error, a hang, a slow answer or an async failure); with
 * `rate`, only that share of them, drawn from a PRNG seeded with the rule's `seed` (echoed back).
 */
export async function addFault(rule: FaultInput): Promise<FaultRule> {
  return (await control<{ fault: FaultRule }>("POST", "/faults", rule)).fault;
}

/** The fault rules still armed, with how many sends each matched and hit. */
export async function listFaults(phoneNumberId?: string): Promise<FaultRule[]> {
  return (await control<{ data: FaultRule[] }>("GET", `/faults${query({ phoneNumberId })}`)).data;
}

export async function clearFaults(phoneNumberId?: string): Promise<number> {
  return (await control<{ deleted: number }>("DELETE", `/faults${query({ phoneNumberId })}`)).deleted;
}

type Media = { id?: string; caption?: string; mime_type?: string; sha256?: string; filename?: string; voice?: boolean; animated?: boolean };

/** A user message; the object named by `type` is in Meta's inbound shape (Cloud API docs, "Webhooks"). */
export type InboundInput = {
  phoneNumberId: string;
  /** the user's number (any spelling: Brazilian and Mexican numbers become their wa_id); optional for a user known by userId or username */
  from?: string;
  /** the user's BSUID (registered on first sight; default: the one derived from `from`) */
  userId?: string;
  /** the user's username ("@" optional; null removes it); kept for later webhooks */
  username?: string | null;
  /** Meta cannot share this user's number: from and contacts[].wa_id are omitted (kept for later webhooks) */
  hidePhone?: boolean;
  /** contacts[].profile.name (default: the registered name, "Test User" for a new user) */
  name?: string;
  type:
    | "text" | "image" | "video" | "audio" | "document" | "sticker" | "interactive" | "button" | "location" | "reaction" | "contacts" | "unsupported"
    | "system" | "edit" | "revoke";
  text?: string | { body: string };
  image?: Media;
  video?: Media;
  audio?: Media;
  document?: Media;
  sticker?: Media;
  interactive?:
    | { type: "button_reply"; button_reply: { id: string; title: string } }
    | { type: "list_reply"; list_reply: { id: string; title: string; description?: string } };
  button?: { text: string; payload?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  reaction?: { message_id: string; emoji?: string };
  contacts?: Array<Record<string, unknown>>;
  unsupported?: { type: string };
  /** the user changed number (the registry follows: new wa_id, new BSUID) or only their BSUID changed */
  system?: { type: "user_changed_number"; newWaId: string } | { type: "user_changed_user_id" };
  /** the user edited an earlier message: text, or media with a caption */
  edit?: {
    originalMessageId: string;
    message:
      | { type: "text"; text: string | { body: string } }
      | { type: "image"; image: Media }
      | { type: "video"; video: Media }
      | { type: "document"; document: Media };
  };
  /** the user deleted an earlier message */
  revoke?: { originalMessageId: string };
  /** quoted message (button taps quote the message whose button was tapped) */
  context?: { id: string; from?: string };
  /** unix seconds (default now) */
  timestamp?: number;
  /** reuse a wamid to emulate Meta re-delivering a message */
  id?: string;
};

/** A user message: the emulator opens the user's window and POSTs Meta's signed inbound webhook to the API. */
export async function emulateInbound(input: InboundInput): Promise<{ wamid: string; delivered: number | null; webhookId: number; userId: string }> {
  return control("POST", "/inbound", input);
}

/** Registers or updates a WhatsApp user of a WABA (BSUID, username, whether Meta may share their number). */
export async function registerUser(input: {
  wabaId: string;
  waId?: string;
  userId?: string;
  username?: string | null;
  name?: string;
  hidePhone?: boolean;
}): Promise<EmulatedUser> {
  return (await control<{ user: EmulatedUser }>("POST", "/users", input)).user;
}

/** The WhatsApp users a WABA has met or the tests registered, with their BSUIDs. */
export async function listUsers(wabaId: string): Promise<EmulatedUser[]> {
  return (await control<{ data: EmulatedUser[] }>("GET", `/users${query({ wabaId })}`)).data;
}

/** A user asks to stop or resume marketing messages: Meta's user_preferences webhook (and 131050 for marketing templates while stopped). */
export async function setUserPreference(input: {
  phoneNumberId: string;
  waId?: string;
  userId?: string;
  value: "stop" | "resume";
}): Promise<{ user: EmulatedUser; webhook: WebhookRef }> {
  return control("POST", "/user-preferences", input);
}

/** A system-level problem: a messages change with value.errors and nothing else. */
export async function postSystemError(input: { wabaId: string; phoneNumberId: string; code: number; details?: string }): Promise<{ webhook: WebhookRef }> {
  return control("POST", "/system-errors", input);
}

/** Ends the hold on a message held for quality assessment: release (sent → delivered → read) or drop (failed "132015"). */
export async function resolveHeld(wamid: string, outcome: "release" | "drop"): Promise<{ wamid: string; held: "released" | "dropped"; webhook?: WebhookRef }> {
  return control("POST", "/held", { wamid, outcome });
}

/** Posts any status (played, failed with given errors, …) for an accepted send, in Meta's shape. */
export async function postStatus(input: {
  wamid: string;
  status: string;
  errors?: Array<{ code: number; details?: string }>;
  codeAsString?: boolean;
}): Promise<{ webhook: WebhookRef }> {
  return control("POST", "/statuses", input);
}

/** Per-WABA knobs (status delays, duplicates, window enforcement, rate limits, …); returns the effective settings. */
export type SettingsPatch = Partial<Omit<WabaSettings, "statusDelaysMs">> & { statusDelaysMs?: number[] | null | "none" };

export async function emulatorSettings(metaWabaId: string, patch: SettingsPatch): Promise<WabaSettings> {
  return (await control<{ settings: WabaSettings }>("POST", "/settings", { wabaId: metaWabaId, ...patch })).settings;
}

/** Opens (as if the user just wrote) or closes a user's 24h window without sending a webhook; `user` is a number or a BSUID. */
export async function setWindow(phoneNumberId: string, user: string, open: boolean): Promise<void> {
  const who = /^[A-Z]{2}\./.test(user) ? { userId: user } : { waId: user };
  await control("POST", "/windows", { phoneNumberId, ...who, open });
}

type TemplateRef = { wabaId: string; templateId?: string; name?: string; language?: string };

/**
 * Posts a message_template_status_update event (any string: unknown ones are posted as given) and applies
 * the known ones to the template on Meta's side.
 */
export async function setTemplateStatus(
  input: TemplateRef & {
    status: string;
    reason?: string | null;
    webhook?: boolean;
    /** unix seconds of disable_info.disable_date (FLAGGED, DISABLED) */
    disableDate?: number;
    otherInfo?: { title: string; description: string };
  },
): Promise<{ template: Template; webhook: WebhookRef | null }> {
  return control("POST", "/templates/status", input);
}

/** template_category_update: the 24-hour warning (`impending`, nothing changes) or the change itself. */
export async function setTemplateCategory(
  input: TemplateRef & { category: "MARKETING" | "UTILITY" | "AUTHENTICATION"; impending?: boolean },
): Promise<{ template: Template; webhook: WebhookRef }> {
  return control("POST", "/templates/category", input);
}

/** message_template_quality_update (with `metaDocField`, under the field name Meta's reference shows). */
export async function setTemplateQuality(
  input: TemplateRef & { quality: "GREEN" | "YELLOW" | "RED" | "UNKNOWN"; metaDocField?: boolean },
): Promise<{ template: Template; quality: { previous: string; current: string }; webhook: WebhookRef }> {
  return control("POST", "/templates/quality", input);
}

/** How Meta's review of the WABA's new and edited templates goes: delay until the verdict (null: none), names rejected, reason. */
export type TemplateReview = { delayMs: number | null; rejectNames: string[]; reason: string };

export async function setTemplateReview(metaWabaId: string, patch: Partial<TemplateReview>): Promise<TemplateReview> {
  return (await control<{ review: TemplateReview }>("POST", "/templates/review", { wabaId: metaWabaId, ...patch })).review;
}

/** The templates Meta's side has for the WABA. */
export async function emulatorTemplates(metaWabaId: string): Promise<Template[]> {
  return (await control<{ waba: Waba }>("GET", `/wabas/${metaWabaId}`)).waba.templates;
}

/** Calls a Graph endpoint of the emulator directly, e.g. graph("/v24.0/123/messages", { token, json }). */
export function graph(path: string, init: { token?: string; json?: unknown; method?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.Authorization = `Bearer ${init.token}`;
  if (init.json !== undefined) headers["Content-Type"] = "application/json";
  return emulator().fetch(`${GRAPH_ORIGIN}${path}`, {
    method: init.method ?? (init.json === undefined ? "GET" : "POST"),
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
}
