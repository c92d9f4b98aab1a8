import { expect, vi } from "vitest";
import { emulatorWebhooks, type WebhookRecord } from "../helpers/emulator";

/** META_APP_SECRET of the emulator in vitest.config.ts. */
export const APP_SECRET = "demo-meta-app-secret-local-only";

export async function hmacSha256Hex(secret: string, body: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Waits until the emulator logged at least `count` webhooks matching the filter; returns them oldest first. */
export async function waitForWebhooks(wabaId: string, count: number, filter: { wamid?: string; kind?: WebhookRecord["kind"] } = {}): Promise<WebhookRecord[]> {
  return vi.waitFor(
    async () => {
      const hooks = await emulatorWebhooks(wabaId, filter);
      expect(hooks.length).toBeGreaterThanOrEqual(count);
      return hooks;
    },
    { timeout: 8000, interval: 25 },
  );
}

export function parsed(hook: WebhookRecord): any {
  return JSON.parse(hook.body);
}

export function statusOf(hook: WebhookRecord): any {
  return parsed(hook).entry[0].changes[0].value.statuses[0];
}
