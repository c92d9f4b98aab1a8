import { DEFAULT_MPS } from "../relay/pacing";

// What a WABA's object needs from the control plane (D1): its Meta WABA id, its Meta access token
// (still sealed) and its phone numbers. Read once when the object needs it and kept in memory; admin
// changes (a new token, a phone number) tell the object to read it again (WabaStore.invalidate).

export type WabaControl = {
  wabaId: string;
  metaWabaId: string;
  /** AES-GCM sealed, opened only by the relay right before it calls Meta */
  accessTokenEnc: string;
  /** mps: the throughput the relay paces the number at (null: Meta's default) */
  phones: Array<{ metaPhoneNumberId: string; isDefault: boolean; mps: number | null }>;
};

/** One D1 query: the WABA with its phone numbers. Null if the WABA does not exist. */
export async function loadWabaControl(d1: D1Database, wabaId: string): Promise<WabaControl | null> {
  const { results } = await d1
    .prepare(
      `SELECT w.meta_waba_id AS metaWabaId, w.access_token_enc AS accessTokenEnc, p.meta_phone_number_id AS phone, p.is_default AS isDefault, p.throughput_mps AS mps
         FROM wabas w LEFT JOIN phone_numbers p ON p.waba_id = w.id WHERE w.id = ?1 ORDER BY p.id`,
    )
    .bind(wabaId)
    .all<{ metaWabaId: string; accessTokenEnc: string; phone: string | null; isDefault: number | null; mps: number | null }>();
  const first = results[0];
  if (!first) return null;
  return {
    wabaId,
    metaWabaId: first.metaWabaId,
    accessTokenEnc: first.accessTokenEnc,
    phones: results.filter((r) => r.phone !== null).map((r) => ({ metaPhoneNumberId: r.phone!, isDefault: r.isDefault === 1, mps: r.mps })),
  };
}

/** The throughput a number is paced at (messages/s): its stored level, else Meta's default. */
export function phoneMps(control: WabaControl, metaPhoneNumberId: string): number {
  return control.phones.find((p) => p.metaPhoneNumberId === metaPhoneNumberId)?.mps ?? DEFAULT_MPS;
}

/** The number a send goes from: the one named (if it is the WABA's), else the WABA's default. */
export function sendingPhone(control: WabaControl, phoneNumberId: string | undefined): string | null {
  if (phoneNumberId !== undefined) return control.phones.find((p) => p.metaPhoneNumberId === phoneNumberId)?.metaPhoneNumberId ?? null;
  return control.phones.find((p) => p.isDefault)?.metaPhoneNumberId ?? null;
}
