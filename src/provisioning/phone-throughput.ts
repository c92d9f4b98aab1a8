import { eq } from "drizzle-orm";
import { invalidateWabaControl } from "../data-plane/stub";
import type { Database } from "../db/client";
import { phoneNumbers } from "../db/schema";
import type { Env } from "../env";
import { log } from "../log";
import { graphRequest, type GraphTarget } from "../meta/graph";

/**
 * Meta's throughput levels and what they allow (developers.facebook.com/documentation/business-messaging/
 * whatsapp/throughput): STANDARD 80 messages/s, HIGH 1,000 after the automatic upgrade. Meta reports the
 * level at GET /{phone-number-id}?fields=throughput. Any other level (NOT_APPLICABLE, or one Meta adds)
 * changes nothing: a number shared with the WhatsApp Business app (20/s) is set by an operator.
 */
export const LEVEL_MPS: Readonly<Record<string, number>> = { STANDARD: 80, HIGH: 1000 };

/**
 * Reads each of the WABA's numbers' throughput level from Meta and stores the pace it allows, except
 * where an operator set it (`phone:add --mps`). The WABA's objects read their phone numbers again when
 * one changed. A number Meta does not answer for keeps what it had. Returns how many changed.
 */
export async function syncPhoneThroughput(db: Database, env: Env, wabaId: string, target: GraphTarget): Promise<number> {
  const phones = await db.select().from(phoneNumbers).where(eq(phoneNumbers.wabaId, wabaId)).all();
  let changed = 0;
  for (const phone of phones) {
    if (phone.throughputSource === "admin") continue;
    const res = await graphRequest<{ throughput?: { level?: unknown } }>(env, `${phone.metaPhoneNumberId}?fields=throughput`, { target, timeoutMs: 10_000 });
    if (!res.ok) {
      log.warn("could not read a phone number's throughput level", { wabaId, phoneNumberId: phone.metaPhoneNumberId, kind: res.kind });
      continue;
    }
    const level = res.data.throughput?.level;
    const mps = typeof level === "string" ? LEVEL_MPS[level.toUpperCase()] : undefined;
    if (mps === undefined || mps === phone.throughputMps) continue;
    await db.update(phoneNumbers).set({ throughputMps: mps, throughputSource: "meta" }).where(eq(phoneNumbers.id, phone.id));
    changed++;
  }
  if (changed) await invalidateWabaControl(env, wabaId);
  return changed;
}
