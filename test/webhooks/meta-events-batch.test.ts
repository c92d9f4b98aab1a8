import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import type { MetaEventJob } from "../../src/queues/meta-event-job";
import { createMessagingTenant, messageByWamid, type MessagingTenant } from "../helpers/messaging";
import { runQueue } from "../helpers/queues";

// The meta-events consumer hands a batch's changes to their WABA's object in one call; when that call
// fails, the changes go one by one, so a change that keeps failing is retried alone and its
// batch-mates are applied and acknowledged.

const inbound = (t: MessagingTenant, wamid: string): MetaEventJob => ({
  metaWabaId: t.metaWabaId,
  field: "messages",
  receivedAt: Date.now(),
  value: {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: "15550001000", phone_number_id: t.defaultPhone },
    contacts: [{ profile: { name: "Batch" }, wa_id: "919812345678" }],
    messages: [{ from: "919812345678", id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: `batch ${wamid}` } }],
  },
});

/** The WABA objects, with every call that carries the poisoned change failing (as a storage error would). */
function poisoned(wamid: string) {
  const calls: number[] = [];
  const carries = (jobs: MetaEventJob[]) => jobs.some((j) => JSON.stringify(j.value).includes(wamid));
  const WABA_STORE = {
    getByName(name: string) {
      const stub = env.WABA_STORE.getByName(name);
      return {
        async applyMetaChanges(wabaId: string, jobs: MetaEventJob[]) {
          calls.push(jobs.length);
          if (carries(jobs)) throw new Error("storage failed");
          return stub.applyMetaChanges(wabaId, jobs);
        },
      };
    },
  } as unknown as typeof env.WABA_STORE;
  return { calls, vars: { WABA_STORE } };
}

describe("the meta-events consumer's batches", () => {
  it("applies a batch's changes of one WABA in one call", async () => {
    const t = await createMessagingTenant();
    const { calls, vars } = poisoned("wamid.none");
    const jobs = ["wamid.BATCH-1", "wamid.BATCH-2", "wamid.BATCH-3"].map((w) => inbound(t, w));
    const result = await runQueue("wbiz-meta-events", jobs, { vars });
    expect(calls).toEqual([3]);
    expect(result.explicitAcks).toHaveLength(3);
    for (const w of ["wamid.BATCH-1", "wamid.BATCH-2", "wamid.BATCH-3"]) expect(await messageByWamid(t, w)).toBeTruthy();
  });

  it("a change that keeps failing is retried alone; its batch-mates are applied", async () => {
    const t = await createMessagingTenant();
    const { calls, vars } = poisoned("wamid.POISON");
    const jobs = ["wamid.OK-1", "wamid.POISON", "wamid.OK-2"].map((w) => inbound(t, w));
    const result = await runQueue("wbiz-meta-events", jobs, { vars });
    // the batch's call, then one by one
    expect(calls).toEqual([3, 1, 1, 1]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(1);
    expect(await messageByWamid(t, "wamid.OK-1")).toBeTruthy();
    expect(await messageByWamid(t, "wamid.OK-2")).toBeTruthy();
    expect(await messageByWamid(t, "wamid.POISON")).toBeFalsy();
  });
});
