import { exports } from "cloudflare:workers";

export const ADMIN_TOKEN = "wbiz-local-admin-token";

type Init = Omit<RequestInit, "body"> & { key?: string; json?: unknown; body?: BodyInit };

/** Calls the Worker under test exactly as a client would. */
export function api(path: string, init: Init = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set("Authorization", `Bearer ${init.key}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(new Request(`https://api.wbiz.test${path}`, { ...init, headers, body }));
}

export function admin(path: string, init: Init = {}): Promise<Response> {
  return api(path, { ...init, key: ADMIN_TOKEN });
}

export async function jsonOf<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
