// `npm run test:browser`: starts `npm run dev`, opens /docs in headless Chromium (Debian's `chromium`,
// driven by playwright-core) with every non-local request refused, and checks that the reference
// renders offline, lists every operation of /v1/openapi.json with its examples and error codes, comes
// with the demo key filled in, and that "Test Request" on each send route answers the contract's 200
// with a wamid, twice in a row. Saves docs/api-reference.png and docs/quick-start.png.
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
const QUICK_START_SCREENSHOT = path.join(ROOT, "docs/quick-start.png");
const SEND_PATHS = ["/v1/messages/text", "/v1/messages/template", "/v1/messages/media", "/v1/messages/interactive", "/v1/messages/location"];
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
type Response_ = { description: string } | { $ref: string };
type Operation = {
  summary?: string;
  requestBody?: { content?: Record<string, { schema?: Schema; example?: unknown }> };
  responses: Record<string, Response_>;
};
type OpenApi = {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  webhooks?: Record<string, unknown>;
  components: { schemas: Record<string, Schema>; responses?: Record<string, { description: string }> };
};
type Op = { method: string; path: string; op: Operation; label: string };

let dev: DevServer;
let growth: string;
let doc: OpenApi;
let ops: Op[];
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const blocked: string[] = [];
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

before(async () => {
  growth = (await demoKeys()).find((k) => k.label === "growth")!.secret;
  // The page pre-fills DOCS_DEMO_KEY in local development (`npm run dev` passes the growth key). Given
  // here too, through wrangler's process-environment import, so this test does not depend on how
  // scripts/dev.ts passes it.
  dev = await startDevServer({ env: { CLOUDFLARE_INCLUDE_PROCESS_ENV: "true", DOCS_DEMO_KEY: growth } });
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
  await sidebarEntry("GET", "/v1/key").waitFor({ state: "visible", timeout: 30_000 });
});

// Scalar's sidebar entries are links (`a[href$="/GET/v1/key"]`) in some releases and buttons in a
// `[data-sidebar-id$="/GET/v1/key"]` item in others; sections are `[id$="/GET/v1/key"]` in both.

function sidebarEntry(method: string, p: string): Locator {
  const ends = [`/${method}${p}`, `/${method}${encodeURI(p)}`];
  return page.locator(ends.flatMap((e) => [`a[href$="${e}"]`, `[data-sidebar-id$="${e}"] button`]).join(", ")).first();
}

function introductionEntry(): Locator {
  return page.locator('a[href="#description/introduction"], [data-sidebar-id$="description/introduction"] button').first();
}

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await dev?.stop();
});

/** The codes an operation's error responses name: errorResponses() lists each as `CODE` in the description. */
function errorCodes(op: Operation): string[] {
  return Object.entries(op.responses)
    .filter(([status]) => Number(status) >= 400)
    .map(([, r]) => ("$ref" in r ? doc.components.responses![r.$ref.split("/").pop()!]! : r))
    .flatMap((r) => [...r.description.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
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
  await sidebarEntry(method, p).click();
  const section = page.locator(`[id$="/${method}${p}"]`).first();
  await section.waitFor({ state: "visible" });
  return section;
}

test("renders offline: nothing requested from another host, no script errors", () => {
  assert.deepEqual(blocked, [], "requests to other hosts");
  assert.deepEqual(pageErrors, [], "uncaught errors");
  assert.deepEqual(consoleErrors, [], "console errors (CSP violations show here)");
});

test("links nowhere that would hand the document to a third party", async () => {
  assert.equal(await page.locator('a[href*="client.scalar.com"], a[href*="editor.scalar.com"]').count(), 0);
});

test("the sidebar lists every path and method of /v1/openapi.json, under its summary", async () => {
  assert.ok(ops.length >= 22, `only ${ops.length} operations in the document`);
  const links = (
    await page
      .locator("a[href], [data-sidebar-id]")
      .evaluateAll((es) => es.map((e) => ({ href: e.getAttribute("href") ?? e.getAttribute("data-sidebar-id") ?? "", text: e.textContent ?? "" })))
  ).map((l) => ({ href: decodeURIComponent(l.href), text: l.text }));
  const missing = ops.filter(({ method, path: p, op }) => !links.some((l) => l.href.endsWith(`/${method}${p}`) && l.text.includes(op.summary ?? "")));
  assert.deepEqual(missing.map((o) => o.label), [], "operations missing from the sidebar");
  const sidebar = await page.locator("aside, nav").first().innerText();
  for (const event of Object.keys(doc.webhooks ?? {})) assert.ok(sidebar.includes(event), `webhook event ${event} not listed`);
});

/** The section's text with each error status's tab selected in turn (the response panel shows one at a time). */
async function responseTabsText(section: Locator, op: Operation): Promise<string> {
  let text = "";
  for (const status of Object.keys(op.responses).filter((s) => Number(s) >= 400)) {
    const tab = section.getByRole("tab", { name: new RegExp(`(^|\\s)${status}$`) }).first();
    if ((await tab.count()) === 0) continue;
    await tab.click();
    text += `\n${await section.innerText()}`;
  }
  return text;
}

test("every operation shows its method, path, request example and every error code", async (t) => {
  const seen = new Set<string>();
  for (const { method, path: p, op, label } of ops) {
    await t.test(label, async () => {
      const section = await showOperation(method, p);
      const codes = errorCodes(op);
      const examples = bodyExamples(op);
      let shown = await textOnceShowing(section, [p, ...examples]);
      // some releases list every response's description, others only the selected status tab's
      if (codes.some((c) => !shown.includes(c))) shown += await responseTabsText(section, op);
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

/** Opens the operation's "Test Request" client, sends its example as it stands, and returns the answer. */
async function testRequest(method: string, p: string) {
  const section = await showOperation(method, p);
  await section.getByRole("button", { name: /Test Request/ }).first().click();
  // The API client opens as a dialog over the reference. Look for its Send button inside it: the page
  // behind has buttons named after the schemas (SendText, SendAccepted…) that /^Send/ would match too.
  const client = page.getByRole("dialog");
  const send = client.getByRole("button", { name: /^Send\b/ }).first();
  await send.waitFor({ state: "visible" });
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === p && r.request().method() === method, { timeout: 20_000 }),
    send.click(),
  ]);
  return { res, client };
}

test("the demo key is filled in: a request sent from the page reaches the API with it", async () => {
  await introductionEntry().click();
  assert.equal(await page.getByPlaceholder("Token").first().inputValue(), growth, "the Token field does not hold DOCS_DEMO_KEY");
  const { res, client } = await testRequest("GET", "/v1/key");
  assert.equal(res.request().headers()["authorization"], `Bearer ${growth}`);
  assert.equal(res.status(), 200);
  await client.getByText('"scopes"').first().waitFor({ state: "visible", timeout: 10_000 });
  await page.keyboard.press("Escape");
  await client.waitFor({ state: "hidden" });
});

test("Test Request on every send route, twice: the contract's 200 with a new wamid each time, no optional header sent", async (t) => {
  for (const p of SEND_PATHS) {
    await t.test(p, async () => {
      const wamids: string[] = [];
      for (const attempt of [1, 2]) {
        const { res, client } = await testRequest("POST", p);
        const headers = res.request().headers();
        const body = (await res.json()) as { wamid?: string };
        assert.equal(res.status(), 200, `${p} attempt ${attempt}: ${JSON.stringify(body)}`);
        assert.match(body.wamid ?? "", /^wamid\./, `${p} attempt ${attempt}`);
        assert.equal(headers["authorization"], `Bearer ${growth}`);
        assert.equal(headers["idempotency-key"], undefined, `${p} sent an Idempotency-Key`);
        assert.equal(headers["prefer"], undefined, `${p} sent a Prefer header`);
        assert.equal(await res.headerValue("Idempotent-Replayed"), null, `${p} attempt ${attempt} was a replay`);
        wamids.push(body.wamid!);
        await page.keyboard.press("Escape");
        await client.waitFor({ state: "hidden" });
      }
      assert.notEqual(wamids[0], wamids[1], `${p}: the second answer repeats the first`);
    });
  }
});

test("screenshot: docs/quick-start.png", async () => {
  // the top of the page, not where the last test left it (a reload keeps the operation's #fragment)
  await page.goto(`${dev.origin}/docs`, { waitUntil: "networkidle" });
  const section = page.locator('[id$="description/quick-start"]').first();
  await section.waitFor({ state: "visible", timeout: 30_000 });
  await textOnceShowing(page.locator('[id$="description/introduction"]').first(), ["Quick start"]);
  const text = await page.locator("main, body").first().innerText();
  for (const want of ["Quick start", "Issue an API key", "https://api.wbiz.in", "Authorization: Bearer", "Make your first call"]) assert.ok(text.includes(want), `quick start lacks "${want}"`);
  assert.ok(await section.isVisible() && (await section.boundingBox())!.y < 900, "the quick start is not on screen");
  mkdirSync(path.dirname(QUICK_START_SCREENSHOT), { recursive: true });
  await page.screenshot({ path: QUICK_START_SCREENSHOT });
  assert.ok(existsSync(QUICK_START_SCREENSHOT));
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
