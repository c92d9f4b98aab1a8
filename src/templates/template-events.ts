// What Meta's template events mean for a template's sendability (message_template_status_update;
// Meta's webhook reference lists the events and what each means). Statuses other than APPROVED do not
// send. Events that are not statuses:
// - FLAGGED: "received negative feedback and is at risk of being disabled" — it still sends (and
//   disable_info says when it would be disabled); REINSTATED: "no longer flagged or disabled and can be
//   sent in template messages again".
// - ARCHIVED / UNARCHIVED: archived for inactivity; unarchiving restores the status it had before.
// - LOCKED ("cannot be edited") and LIMIT_EXCEEDED (the WABA is at its template limit) say nothing about
//   sending. An unpause arrives as APPROVED (other_info.title UNPAUSE).
// An event Meta adds later and we do not know changes nothing: it must never make an approved template
// unsendable; the next template sync (cron) brings the authoritative status.

export type TemplateState = { status: string; flagged: boolean; archivedFrom: string | null };

/** Events that set the template's status to their own name. */
const STATUS_EVENTS = new Set(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION", "DELETED"]);

/** The template's state after Meta's event (compared case-insensitively: Meta's pacing page writes `paused`). */
export function applyTemplateEvent(state: TemplateState, rawEvent: string): TemplateState {
  const event = rawEvent.trim().toUpperCase();
  if (event === "APPROVED" || event === "REINSTATED") return { status: "APPROVED", flagged: false, archivedFrom: null };
  if (event === "FLAGGED") return { ...state, flagged: true };
  if (event === "ARCHIVED") return state.status === "ARCHIVED" ? state : { ...state, status: "ARCHIVED", archivedFrom: state.status };
  if (event === "UNARCHIVED") {
    // Meta: unarchived templates are restored; without the ARCHIVED event (archived before a sync) the
    // status it had is unknown, and archiving is for unused approved templates
    return state.status === "ARCHIVED" ? { ...state, status: state.archivedFrom ?? "APPROVED", archivedFrom: null } : state;
  }
  if (STATUS_EVENTS.has(event)) return { ...state, status: event, archivedFrom: null };
  return state; // LOCKED, LIMIT_EXCEEDED, and events we do not know
}

export const sameState = (a: TemplateState, b: TemplateState) => a.status === b.status && a.flagged === b.flagged && a.archivedFrom === b.archivedFrom;

/** Meta's webhooks spell languages en-US; sends and template listings spell them en_US. */
export const templateLanguage = (language: string) => language.replace("-", "_");
