import type { Database } from "../db/client";
import type { Env } from "../env";
import type { ErrorCode, ErrorDetail } from "../errors";
import { recordMessage } from "../inbox/record-message";
import type { SendJob } from "../queues/send-job";
import { partyOf, type Recipient } from "./recipient";
import { markFailed } from "./status-transitions";
import type { StoredTemplate } from "./template-rules";

// The route half of a send: load what the checks need in one D1 batch, refuse what Meta would refuse,
// store the message as queued, put a job on the send queue. The relay (src/relay) does the rest.

export const WINDOW_MS = 24 * 60 * 60_000;

export type Refusal = { code: ErrorCode; message: string; details?: ErrorDetail[] };

export type SendContext = {
  now: number;
  metaPhoneNumberId: string | null;
  contact: { lastInboundAt: number | null; optedIn: boolean } | null;
  /** every stored variant (language) of the named template, for template sends */
  templates: StoredTemplate[];
};

export function sendWaitBudgetMs(env: Env): number {
  const n = Number(env.SEND_WAIT_BUDGET_MS);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, 25_000) : 10_000;
}

export async function loadSendContext(db: Database, wabaId: string, q: Recipient & { phoneNumberId?: string; template?: string }): Promise<SendContext> {
  const d1 = db.$client;
  const statements = [
    d1
      .prepare(
        `SELECT meta_phone_number_id AS id FROM phone_numbers
          WHERE waba_id = ?1 AND (CASE WHEN ?2 IS NULL THEN is_default = 1 ELSE meta_phone_number_id = ?2 END)`,
      )
      .bind(wabaId, q.phoneNumberId ?? null),
    // the contact by phone or by BSUID (each unique in the WABA); phones are normalised, so Meta's wa_id
    // spellings (521… for Mexico) and the real number find the same customer
    d1
      .prepare(`SELECT last_inbound_at AS lastInboundAt, opted_in AS optedIn FROM contacts WHERE waba_id = ?1 AND (phone = ?2 OR user_id = ?3) LIMIT 1`)
      .bind(wabaId, q.to ?? null, q.userId ?? null),
  ];
  if (q.template) {
    statements.push(
      d1
        .prepare(
          `SELECT id, name, language, category, status, parameter_format AS parameterFormat, components FROM templates
            WHERE waba_id = ?1 AND name = ?2 AND removed_upstream_at IS NULL`,
        )
        .bind(wabaId, q.template),
    );
  }
  const [phone, contact, templates] = await d1.batch<Record<string, unknown>>(statements);
  const c = contact?.results[0] as { lastInboundAt: number | null; optedIn: number } | undefined;
  return {
    now: Date.now(),
    metaPhoneNumberId: (phone?.results[0]?.id as string | undefined) ?? null,
    contact: c ? { lastInboundAt: c.lastInboundAt, optedIn: c.optedIn === 1 } : null,
    templates: (templates?.results ?? []).map((row) => ({ ...(row as Omit<StoredTemplate, "components">), components: JSON.parse(String(row.components)) })),
  };
}

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

export type QueuedSend = { messageId: string };

/** Stores the outbound message (queued) with its conversation, then queues the relay job. */
export async function queueSend(
  db: Database,
  env: Env,
  s: { wabaId: string; apiKeyId: string; keyHash: string; recipient: Recipient; metaPhoneNumberId: string; kind: string; body: string | null; payload: unknown; notify: boolean },
): Promise<QueuedSend> {
  const recorded = await recordMessage(db, {
    wabaId: s.wabaId,
    party: partyOf(s.recipient),
    metaPhoneNumberId: s.metaPhoneNumberId,
    direction: "outbound",
    kind: s.kind,
    body: s.body,
    payload: s.payload,
    status: "queued",
    apiKeyId: s.apiKeyId,
  });
  if (!recorded) throw new Error("outbound message not recorded");
  const job: SendJob = { messageId: recorded.messageId, keyHash: s.keyHash, notify: s.notify };
  try {
    await env.SEND_QUEUE.send(job, { contentType: "json" });
  } catch (err) {
    // not accepted after all: the client gets a 500, and history must not show a send stuck in queued
    await markFailed(env, recorded.messageId, { source: "relay", code: null, message: "The send could not be queued; it was not sent" });
    throw err;
  }
  return { messageId: recorded.messageId };
}
