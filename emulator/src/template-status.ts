// Template events Meta posts on its own: status updates, category changes, quality changes ([template-status], [template-category], [template-quality]: emulator/README.md, "Sources").
import type { EmulatorBindings } from "./env";
import { settingsFor } from "./settings";
import { templateMemory, type Template, type Waba } from "./store";
import { templateCategoryPayload, templateQualityPayload, templateStatusPayload, type TemplateEventExtras } from "./webhook-payloads";
import { postWebhook, type Posted } from "./webhooks";

/** Events of the message_template_status_update webhook the emulator knows; any other string is posted as given. */
export const TEMPLATE_EVENTS = [
  "APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED",
  "LIMIT_EXCEEDED", "ARCHIVED", "UNARCHIVED", "LOCKED", "FLAGGED", "REINSTATED",
] as const;
export type TemplateEvent = (typeof TEMPLATE_EVENTS)[number];

/** Events that say something about the template without changing whether it can be sent. */
const KEEPS_STATUS: readonly string[] = ["FLAGGED", "LIMIT_EXCEEDED", "LOCKED"];

export const TEMPLATE_CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export const QUALITY_SCORES = ["GREEN", "YELLOW", "RED", "UNKNOWN"] as const;

const DAY_S = 24 * 60 * 60;

function defaultReason(event: string): string | null {
  if (event === "REJECTED") return "INVALID_FORMAT";
  // Meta: NONE "Indicates template was paused"; it is also the reason of an approval.
  if (event === "APPROVED" || event === "PAUSED") return "NONE";
  return null;
}

function pauseInfo(pauses: number): { title: string; description: string } {
  const hours = pauses === 1 ? 3 : 6;
  return {
    title: pauses === 1 ? "FIRST_PAUSE" : "SECOND_PAUSE",
    description: `Your WhatsApp message template has been paused for ${hours} hours until ${new Date(Date.now() + hours * 3600_000).toUTCString()} due to low quality.`,
  };
}

const UNPAUSE = { title: "UNPAUSE", description: "Your WhatsApp message template has been unpaused." };

// Meta's own example of a rejection for INVALID_FORMAT.
const INVALID_FORMAT_INFO = {
  reason: "Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.",
  recommendation: "Separate parameters with descriptive text and ensure each parameter is clearly contextualized.",
};

export type TemplateStatusChange = {
  /** posted exactly as given; known events (any case) also change the stored template */
  event: string;
  reason?: string | null;
  webhook: boolean;
  /** unix seconds of disable_info.disable_date (FLAGGED: default in 7 days; DISABLED: now) */
  disableDate?: number;
  otherInfo?: { title: string; description: string };
};

/**
 * Applies the event to the stored template and posts Meta's status-update webhook (unless told not to).
 * FLAGGED, LIMIT_EXCEEDED and LOCKED leave the status; REINSTATED sets APPROVED; UNARCHIVED restores the
 * status before ARCHIVED; APPROVED of a PAUSED template is an unpause (other_info.title UNPAUSE); PAUSED
 * counts pauses (FIRST_PAUSE, SECOND_PAUSE). Unknown events change nothing.
 */
export async function changeTemplateStatus(env: EmulatorBindings, waba: Waba, template: Template, change: TemplateStatusChange): Promise<Posted | undefined> {
  const event = change.event.toUpperCase();
  const known = (TEMPLATE_EVENTS as readonly string[]).includes(event);
  const memory = templateMemory(template.metaId);
  const previous = template.status;
  let otherInfo = change.otherInfo;
  if (event === "REINSTATED") template.status = "APPROVED";
  else if (event === "ARCHIVED") {
    if (previous !== "ARCHIVED") memory.beforeArchive = previous;
    template.status = "ARCHIVED";
  } else if (event === "UNARCHIVED") {
    if (previous === "ARCHIVED") template.status = memory.beforeArchive ?? "APPROVED";
    delete memory.beforeArchive;
  } else if (event === "PAUSED") {
    memory.pauses += 1;
    otherInfo ??= pauseInfo(memory.pauses);
    template.status = "PAUSED";
  } else if (event === "APPROVED") {
    if (previous === "PAUSED") otherInfo ??= UNPAUSE;
    template.status = "APPROVED";
  } else if (known && !KEEPS_STATUS.includes(event)) template.status = event;
  if (!change.webhook) return undefined;

  const reason = change.reason === undefined ? defaultReason(event) : change.reason;
  const extras: TemplateEventExtras = {};
  const now = Math.floor(Date.now() / 1000);
  if (event === "FLAGGED") extras.disableInfo = { disable_date: change.disableDate ?? now + 7 * DAY_S };
  else if (event === "DISABLED") extras.disableInfo = { disable_date: change.disableDate ?? now };
  if (otherInfo) extras.otherInfo = otherInfo;
  if (event === "REJECTED" && reason === "INVALID_FORMAT") extras.rejectionInfo = INVALID_FORMAT_INFO;
  const payload = templateStatusPayload(waba.metaWabaId, template, change.event, reason, extras);
  return postWebhook(env, { wabaId: waba.metaWabaId, kind: "message_template_status_update" }, payload, settingsFor(env, waba.metaWabaId));
}

/**
 * template_category_update: `impending` is Meta's 24-hour warning (new_category = the CURRENT category,
 * correct_category, category_update_timestamp) and changes nothing; otherwise the category changes.
 */
export async function changeTemplateCategory(
  env: EmulatorBindings,
  waba: Waba,
  template: Template,
  change: { category: Template["category"]; impending: boolean },
): Promise<Posted> {
  let payload;
  if (change.impending) {
    const updateAt = Math.floor(Date.now() / 1000) + DAY_S;
    payload = templateCategoryPayload(waba.metaWabaId, template, { kind: "impending", correctCategory: change.category, updateAt });
  } else {
    const previousCategory = template.category;
    template.category = change.category;
    payload = templateCategoryPayload(waba.metaWabaId, template, { kind: "completed", previousCategory });
  }
  return postWebhook(env, { wabaId: waba.metaWabaId, kind: "template_category_update" }, payload, settingsFor(env, waba.metaWabaId));
}

/**
 * message_template_quality_update with the previous score Meta's side remembers (UNKNOWN at first). Meta's
 * reference shows it under field message_template_status_update (a doc bug); `metaDocField` reproduces that.
 */
export async function changeTemplateQuality(
  env: EmulatorBindings,
  waba: Waba,
  template: Template,
  change: { quality: string; metaDocField: boolean },
): Promise<Posted> {
  const memory = templateMemory(template.metaId);
  const previous = memory.quality;
  memory.quality = change.quality;
  const field = change.metaDocField ? "message_template_status_update" : "message_template_quality_update";
  const payload = templateQualityPayload(waba.metaWabaId, template, previous, change.quality, field);
  return postWebhook(env, { wabaId: waba.metaWabaId, kind: "message_template_quality_update" }, payload, settingsFor(env, waba.metaWabaId));
}
