import type { EmulatorBindings } from "./env";
import { settingsFor } from "./settings";
import type { Template, Waba } from "./store";
import { templateStatusPayload } from "./webhook-payloads";
import { postWebhook, type Posted } from "./webhooks";

/** Events of the message_template_status_update webhook; FLAGGED and REINSTATED exist only as events. */
export const TEMPLATE_EVENTS = [
  "APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED",
  "LIMIT_EXCEEDED", "ARCHIVED", "LOCKED", "FLAGGED", "REINSTATED",
] as const;
export type TemplateEvent = (typeof TEMPLATE_EVENTS)[number];

function defaultReason(event: TemplateEvent): string | null {
  if (event === "REJECTED") return "INVALID_FORMAT";
  if (event === "APPROVED") return "NONE";
  return null;
}

/** Applies the event to the stored template and posts Meta's status-update webhook (unless told not to). */
export async function changeTemplateStatus(
  env: EmulatorBindings,
  waba: Waba,
  template: Template,
  change: { event: TemplateEvent; reason?: string | null; webhook: boolean },
): Promise<Posted | undefined> {
  if (change.event === "REINSTATED") template.status = "APPROVED";
  else if (change.event !== "FLAGGED") template.status = change.event;
  if (!change.webhook) return undefined;

  const reason = change.reason === undefined ? defaultReason(change.event) : change.reason;
  const otherInfo =
    change.event === "PAUSED"
      ? { title: "FIRST_PAUSE", description: `Your WhatsApp message template has been paused for 3 hours until ${new Date(Date.now() + 3 * 3600_000).toUTCString()} due to low quality.` }
      : undefined;
  const payload = templateStatusPayload(waba.metaWabaId, template, change.event, reason, otherInfo);
  return postWebhook(env, { wabaId: waba.metaWabaId, kind: "message_template_status_update" }, payload, settingsFor(env, waba.metaWabaId));
}
