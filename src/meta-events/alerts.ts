import { newId } from "../db/ids";
import type { Env } from "../env";

// Meta's system-level errors (`value.errors` of a messages change: "unable to process a request due to
// a system level problem", an app or account problem) concern the WABA, not one message. They are kept
// for operators (GET /admin/wabas/{id}/alerts, `npm run admin -- waba:alerts`) and logged loudly.

export type MetaAlert = { code: number; title?: string; message?: string; error_data?: { details?: string } };

export async function recordAlerts(env: Env, wabaId: string, metaPhoneNumberId: string | null, errors: MetaAlert[], receivedAt: number): Promise<void> {
  if (errors.length === 0) return;
  for (const e of errors) {
    console.error(JSON.stringify({ level: "error", msg: "Meta reported a system-level error", wabaId, metaPhoneNumberId, code: e.code, title: e.title, details: e.error_data?.details }));
  }
  await env.DB.batch(
    errors.map((e) =>
      env.DB.prepare(
        `INSERT INTO meta_alerts (id, waba_id, meta_phone_number_id, code, title, message, details, raw, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`,
      ).bind(newId(receivedAt), wabaId, metaPhoneNumberId, e.code, e.title ?? null, e.message ?? null, e.error_data?.details ?? null, JSON.stringify(e), receivedAt),
    ),
  );
}
