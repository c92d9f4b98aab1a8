import { Hono } from "hono";
import type { AppEnv, Env } from "../../env";

// Local development only. Under `npm run dev` the Cloud API emulator and the sandbox run beside the API
// with no port of their own, so their control APIs are reached through the API's:
//   /__emulator/* → the META binding's /__emulator/*  (the emulator: live keys' Meta)
//   /__sandbox/*  → the SANDBOX binding's /__emulator/* (the sandbox: test keys' Meta)
// No API key: these exist only where ENVIRONMENT is "local" and the binding is there. Anywhere else the
// paths fall through to the usual 404. Not part of the API, so not in the OpenAPI document.

const TARGETS = [
  { prefix: "/__emulator", binding: "META" },
  { prefix: "/__sandbox", binding: "SANDBOX" },
] as const satisfies ReadonlyArray<{ prefix: string; binding: keyof Env }>;

const isLocal = (env: Env) => env.ENVIRONMENT === "local";

export const devProxyRouter = new Hono<AppEnv>();

for (const { prefix, binding } of TARGETS) {
  devProxyRouter.all(`${prefix}/*`, async (c, next) => {
    const target = c.env[binding];
    if (!isLocal(c.env) || !target) return next();
    const url = new URL(c.req.url);
    const path = `/__emulator${url.pathname.slice(prefix.length)}`;
    const res = await target.fetch(new Request(`https://graph.facebook.com${path}${url.search}`, c.req.raw));
    // a fetched response's headers are immutable; the API's middleware adds X-Request-Id to them
    return new Response(res.body, res);
  });
}
