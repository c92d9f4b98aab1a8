import type { ErrorCode, ErrorDetail } from "../errors";
import type { StoredTemplate } from "./template-rules";

// The checks a send passes before it is stored and queued, in the WABA's object (src/data-plane/sends.ts
// runs them on its own data); the relay (src/relay) does the rest.

export const WINDOW_MS = 24 * 60 * 60_000;

export type Refusal = { code: ErrorCode; message: string; details?: ErrorDetail[] };

export type SendContext = {
  now: number;
  metaPhoneNumberId: string | null;
  contact: { lastInboundAt: number | null; optedIn: boolean } | null;
  /** every stored variant (language) of the named template, for template sends */
  templates: StoredTemplate[];
};

/** Text, media, interactive and location sends need the customer to have written in the last 24 hours. */
export function windowRefusal(ctx: SendContext): Refusal | null {
  const last = ctx.contact?.lastInboundAt ?? null;
  if (last !== null && ctx.now - last < WINDOW_MS) return null;
  return {
    code: "OUTSIDE_24H_WINDOW",
    message:
      last === null
        ? "The recipient has never messaged this WABA, so the 24-hour window is closed. Use POST /v1/messages/template."
        : `The recipient last messaged ${new Date(last).toISOString()}, more than 24 hours ago. Use POST /v1/messages/template.`,
  };
}
