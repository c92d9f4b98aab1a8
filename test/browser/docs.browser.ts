// `npm run test:browser`: starts `npm run dev`, opens /docs in headless Chromium (Debian's `chromium`,
// driven by playwright-core) with every non-local request refused, and checks that the reference
// renders offline, lists every operation of /v1/openapi.json with its examples and error codes, and can
// send a request with an API key. Saves docs/api-reference.png.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { demoKeys } from "../../scripts/seed/demo-keys";
import { ROOT, startDevServer, type DevServer } from "./dev-server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = path.join(ROOT, "docs/api-reference.png");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Schema = { $ref?: string; properties?: Record<string, Schema>; example?: unknown };
type Operation = {
  summary?: string;
  requestBody?: { content?: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, { description: string }>;
};
type OpenApi = { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>; webhooks?: Record<string, unknown>; components: { schemas: Record<string, Schema> } };
type Op = { method: string; path: string; op: Operation; label: string };

let dev: DevServer;
let doc: OpenApi;
let ops: Op[];
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const blocked: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

before(async () => {
  dev = await startDevServer();
  doc = (await (await fetch(`${dev.origin}/v1/openapi.json`)).json()) as OpenApi;
  ops = Object.entries(doc.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path: p, op: item[m]!, label: `${m.toUpperCase()} ${p}` })),
  );

  userDataDir = mkdtempSync(path.join(tmpdir(), "wbiz-docs-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  // Offline by construction: anything not served by the dev server is refused and recorded.
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort("internetdisconnected");
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (err) => pageErrors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  await page.goto(`${dev.origin}/docs`, { waitUntil: "networkidle" });
  await page.locator('a[href$="/GET/v1/key"]').first().waitFor({ state: "visible", timeout: 30_000 });
});

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await dev?.stop();
});

/** The codes an operation's error responses name: errorResponses() lists each as `CODE` in the description. */
function errorCodes(op: Operation): string[] {
  return Object.entries(op.responses)
    .filter(([status]) => Number(status) >= 400)
    .flatMap(([, r]) => [...r.description.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

/** The strings of the request example the page shows: the body's own example (media type, then schema, as
 * the renderer picks it) when the document gives one, else the examples of its top-level properties, from
 * which the renderer builds one. */
function bodyExamples(op: Operation): string[] {
  const content = op.requestBody?.content?.["application/json"];
  let schema = content?.schema;
  if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split("/").pop()!];
  const whole = content?.example ?? schema?.example;
  if (whole !== undefined) return stringsIn(whole);
  return Object.values(schema?.properties ?? {})
    .map((p) => p.example)
    .filter((e): e is string => typeof e === "string");
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** The section's text once it shows everything wanted (Scalar renders sections lazily), or as it is after 10 s. */
async function textOnceShowing(section: Locator, want: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = await section.innerText();
    if (want.every((w) => text.includes(w)) || Date.now() > deadline) return text;
    await page.waitForTimeout(200);
  }
}

async function showOperation(method: string, p: string) {
  const link = page.locator(`a[href$="/${method}${p}"], a[href$="/${method}${encodeURI(p)}"]`).first();
  await link.click();
  const section = page.locator(`[id$="/${method}${p}"]`).first();
  await section.waitFor({ state: "visible" });
  return section;
}

test("renders offline: nothing requested from another host, no script errors", () => {
  assert.deepEqual(blocked, [], "requests to other hosts");
  assert.deepEqual(pageErrors, [], "uncaught errors");
  assert.deepEqual(consoleErrors, [], "console errors (CSP violations show here)");
});

test("the sidebar lists every path and method of /v1/openapi.json, under its summary", async () => {
  assert.ok(ops.length >= 24, `only ${ops.length} operations in the document`);
  const links = (await page.locator("a[href]").evaluateAll((as) => as.map((a) => ({ href: a.getAttribute("href") ?? "", text: a.textContent ?? "" })))).map((l) => ({
    href: decodeURIComponent(l.href),
    text: l.text,
  }));
  const missing = ops.filter(({ method, path: p, op }) => !links.some((l) => l.href.endsWith(`/${method}${p}`) && l.text.includes(op.summary ?? "")));
  assert.deepEqual(missing.map((o) => o.label), [], "operations missing from the sidebar");
  const sidebar = await page.locator("aside, nav").first().innerText();
  for (const event of Object.keys(doc.webhooks ?? {})) assert.ok(sidebar.includes(event), `webhook event ${event} not listed`);
});

test("every operation shows its method, path, request example and every error code", async (t) => {
  const seen = new Set<string>();
  for (const { method, path: p, op, label } of ops) {
    await t.test(label, async () => {
      const section = await showOperation(method, p);
      const codes = errorCodes(op);
      const examples = bodyExamples(op);
      const shown = await textOnceShowing(section, [p, ...codes, ...examples]);
      codes.filter((c) => shown.includes(c)).forEach((c) => seen.add(c));
      assert.ok(shown.includes(p), `${label}: path not shown`);
      assert.ok(new RegExp(`\\b${method === "DELETE" ? "DEL(ETE)?" : method}\\b`).test(shown), `${label}: method not shown`);
      const missingCodes = codes.filter((c) => !shown.includes(c));
      assert.deepEqual(missingCodes, [], `${label}: error codes not shown`);
      const missingExamples = examples.filter((e) => !shown.includes(e));
      assert.deepEqual(missingExamples, [], `${label}: request examples not shown`);
    });
  }
  for (const code of ["RATE_LIMITED", "INTERACTIVE_LIMITS", "OUTSIDE_24H_WINDOW", "TEMPLATE_NOT_APPROVED", "IDEMPOTENCY_KEY_REUSED", "META_UPSTREAM_ERROR"]) {
    assert.ok(seen.has(code), `${code} shown nowhere`);
  }
});

test("try it: a request sent from the page with an API key reaches the API", async () => {
  const growth = (await demoKeys()).find((k) => k.label === "growth")!.secret;
  await page.locator('a[href="#description/introduction"]').first().click();
  await page.getByPlaceholder("Token").first().fill(growth);
  const section = await showOperation("GET", "/v1/key");
  await section.getByRole("button", { name: /Test Request/ }).first().click();
  // The API client opens as a dialog over the reference. Look for its Send button inside it: the page
  // behind has buttons named after the schemas (SendText, SendAccepted…) that /^Send/ would match too.
  const client = page.getByRole("dialog");
  const send = client.getByRole("button", { name: /^Send\b/ }).first();
  await send.waitFor({ state: "visible" });
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/v1/key" && r.request().headers()["authorization"] === `Bearer ${growth}`),
    send.click(),
  ]);
  assert.equal(res.status(), 200);
  await client.getByText('"scopes"').first().waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Escape");
});

test("screenshot: docs/api-reference.png", async () => {
  await page.reload({ waitUntil: "networkidle" });
  const section = await showOperation("POST", "/v1/messages/text");
  // the rendered reference, not the boot script's loading or error text
  await textOnceShowing(section, ["Send a text message", "OUTSIDE_24H_WINDOW"]);
  assert.equal(await page.locator(".docs-loading, .docs-error").count(), 0, "loading or error text still on the page");
  await page.waitForTimeout(500);
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
  assert.ok(existsSync(SCREENSHOT));
});
