import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";

export const ADMIN_TOKEN = "wbiz-local-admin-token";

type Init = Omit<RequestInit, "body"> & { key?: string; json?: unknown; body?: BodyInit };

/**
 * The Worker's own fetch handler, with the real bindings and an execution context of its own. Not through
 * `exports.default.fetch` (or SELF, or a service binding to itself): vitest-pool-workers re-imports the
 * main module through its runner object on each such request, and that grows with every request a test
 * file makes (measured: 100 requests to `/` took 1.5 s, then 8 s, 22 s, 42 s, … in one file), which made
 * the fuzzers quadratic. Calling the handler directly costs the same on the 10,000th request as on the first.
 */
export function callWorker(request: Request): Promise<Response> {
  return Promise.resolve(worker.fetch(request, env, createExecutionContext()));
}

/** Calls the Worker under test exactly as a client would. */
export function api(path: string, init: Init = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.key !== undefined) headers.set("Authorization", `Bearer ${init.key}`);
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return callWorker(new Request(`https://api.wbiz.test${path}`, { ...init, headers, body }));
}

export function admin(path: string, init: Init = {}): Promise<Response> {
  return api(path, { ...init, key: ADMIN_TOKEN });
}

export async function jsonOf<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
