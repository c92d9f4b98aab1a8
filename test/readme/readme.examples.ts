// `npm run test:readme`: every command of the README's sh blocks that talks to the local API — each
// `curl … http://localhost:8787…` and each `npm run admin -- …` — runs as written against `npm run dev`
// (on a free port instead of 8787) and answers what the README says: a 2xx, or the status a trailing
// `# <status>` comment names. The deploy section and commands with placeholders (`<wabaId>`) are skipped.
// A command that keeps the admin CLI's answer in a shell variable (`waba=$(npm run -s admin -- … --field id)`,
// or a curl piped to a one-line extractor) sets it for the commands after it, as in the reader's shell, so a
// provisioning path or a campaign runs end to end.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { localVar } from "../../scripts/lib/wrangler";
import { demoKeys } from "../../scripts/seed/demo-keys";
import { ROOT, startDevServer, type DevServer } from "../browser/dev-server";

const run = promisify(execFile);
const README_ORIGIN = "http://localhost:8787";

/** `assign`: the variable a `name=$(npm run -s admin -- …)` command sets, `command` being the inner command. */
type Example = { line: number; command: string; expect: number | null; assign?: string };

const ASSIGNMENT = /^([A-Za-z_]\w*)=\$\(((?:npm run (?:-s |--silent )?admin -- |curl |node -p ).*)\)$/;

/** The README's runnable commands in order, continuation lines joined, with the status they expect. */
function readmeExamples(): Example[] {
  const lines = readFileSync(path.join(ROOT, "README.md"), "utf8").split("\n");
  const out: Example[] = [];
  let inSh = false;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === "## Deploy") break; // those commands are for a deployed API
    if (/^```/.test(lines[i]!)) {
      inSh = !inSh && lines[i] === "```sh";
      continue;
    }
    if (!inSh) continue;
    const start = i;
    let command = lines[i]!;
    while (command.endsWith("\\") && i + 1 < lines.length) command = `${command.slice(0, -1)} ${lines[++i]!.trim()}`;
    const at = commentStart(command);
    const code = /^#\s*(\d{3})\b/.exec(command.slice(at));
    command = command.slice(0, at).trim();
    const assignment = ASSIGNMENT.exec(command);
    if (assignment) command = assignment[2]!;
    const local = (command.startsWith("curl ") && command.includes(README_ORIGIN)) || command.startsWith("npm run admin -- ") || assignment !== null;
    if (!local || /<[A-Za-z][\w -]*>/.test(command)) continue;
    out.push({ line: start + 1, command, expect: code ? Number(code[1]) : null, ...(assignment ? { assign: assignment[1]! } : {}) });
  }
  return out;
}

/** Where a shell comment starts in the line (a # after whitespace, outside quotes), or its length. */
function commentStart(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "#" && (i === 0 || /\s/.test(line[i - 1]!))) {
      return i;
    }
  }
  return line.length;
}

let dev: DevServer;
const examples = readmeExamples();
/** Shell variables set by the README's commands so far (name=$(…)). */
const vars: Record<string, string> = {};

before(async () => {
  dev = await startDevServer();
  await eraseReadmeWabas();
});

/** The README creates WABAs with fixed Meta ids and erases them at the end; one left by an interrupted
 * run (local state persists across `npm run dev`) would make its waba:create a 409, so it goes first. */
async function eraseReadmeWabas(): Promise<void> {
  const metaIds = new Set(examples.flatMap((e) => [...e.command.matchAll(/--meta-waba-id (\d+)/g)].map((m) => m[1]!)));
  if (metaIds.size === 0) return;
  const headers = { Authorization: `Bearer ${localVar("ADMIN_TOKEN")}` };
  const { data } = (await (await fetch(`${dev.origin}/admin/wabas`, { headers })).json()) as { data: Array<{ id: string; metaWabaId: string }> };
  for (const waba of data.filter((w) => metaIds.has(w.metaWabaId))) {
    const res = await fetch(`${dev.origin}/admin/wabas/${waba.id}`, { method: "DELETE", headers });
    assert.ok(res.ok, `could not erase the README's WABA ${waba.metaWabaId} left by an earlier run: ${res.status}`);
  }
}

after(async () => {
  // the webhook example registers an endpoint: remove it so re-runs stay under the 10-per-WABA cap
  const growth = (await demoKeys()).find((k) => k.label === "growth")!.secret;
  const list = (await (await fetch(`${dev.origin}/v1/webhooks`, { headers: { Authorization: `Bearer ${growth}` } })).json()) as { data: Array<{ id: string; description: string | null }> };
  for (const hook of list.data.filter((h) => h.description === "local test")) {
    await fetch(`${dev.origin}/v1/webhooks/${hook.id}`, { method: "DELETE", headers: { Authorization: `Bearer ${growth}` } });
  }
  await dev?.stop();
});

test("the README has runnable examples for every route family", () => {
  const all = examples.map((e) => e.command).join("\n");
  for (const route of ["/v1/key", "/v1/templates", "/v1/contacts", "/v1/conversations", "/v1/messages/text", "/v1/messages/template", "/v1/messages/media", "/v1/messages/interactive", "/v1/messages/location", "/v1/webhooks", "/v1/campaigns"]) {
    assert.ok(all.includes(route), `no README example for ${route}`);
  }
});

test("every README example answers as the README says", async (t) => {
  for (const ex of examples) {
    await t.test(`README.md:${ex.line} ${ex.command.slice(0, 90)}`, async () => {
      const env = { ...process.env, ...vars, WBIZ_API_URL: dev.origin };
      if (ex.command.startsWith("npm run") || ex.assign) {
        const { stdout } = await run("bash", ["-c", ex.command.replaceAll(README_ORIGIN, dev.origin)], { cwd: ROOT, env });
        assert.ok(stdout.length > 0, "the command printed nothing");
        if (ex.assign) {
          const value = stdout.trim();
          assert.ok(/^\S+$/.test(value) && value !== "undefined", `${ex.assign}=$(…) got ${JSON.stringify(value)}, not one value`);
          vars[ex.assign] = value;
        }
        return;
      }
      const command = ex.command.replaceAll(README_ORIGIN, dev.origin);
      const { stdout } = await run("bash", ["-c", `${command} -sS -o /dev/null -w '%{http_code}'`], { cwd: ROOT, env });
      const status = Number(stdout.trim().slice(-3));
      if (ex.expect !== null) assert.equal(status, ex.expect);
      else assert.ok(status >= 200 && status < 300, `answered ${status}`);
    });
  }
});

test("the README's own WABA reached the emulator: its phone number's template send is there", async () => {
  const phones = new Set(examples.flatMap((e) => [...e.command.matchAll(/--meta-phone-number-id (\d+)/g)].map((m) => m[1]!)));
  assert.ok(phones.size > 0, "the README provisions no phone number");
  for (const phoneNumberId of phones) {
    const res = await fetch(`${dev.origin}/__emulator/sent?phoneNumberId=${phoneNumberId}`);
    const { data } = (await res.json()) as { data: Array<{ type: string; body: { template?: { name: string } } }> };
    assert.ok(data.some((s) => s.type === "template"), `no template send from ${phoneNumberId} reached the emulator: ${JSON.stringify(data)}`);
  }
});

/** Polls `check` until it stops throwing (a condition, not a fixed sleep), for up to `ms`. */
async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test("Simulate a customer did what the README says: Meera's message arrived (message.received), +15005550001 failed, the throttled send was sent", async () => {
  const growth = (await demoKeys()).find((k) => k.label === "growth")!.secret;
  const get = async (p: string) => {
    const res = await fetch(`${dev.origin}${p}`, { headers: { Authorization: `Bearer ${growth}` } });
    assert.equal(res.status, 200, `${p} answered ${res.status}`);
    return (await res.json()) as any;
  };
  type Message = { direction: string; body: string | null; status: string; error: { code: number | null } | null };
  const thread = async (phone: string): Promise<Message[]> => {
    const conversations = (await get("/v1/conversations?limit=100")).data as Array<{ id: string; contact: { phone: string | null } }>;
    const conversation = conversations.find((c) => c.contact.phone === phone);
    assert.ok(conversation, `no conversation with ${phone}`);
    return (await get(`/v1/conversations/${conversation.id}/messages?limit=100`)).data;
  };

  const meera = await eventually(async () => {
    const messages = await thread("+919876543210");
    assert.ok(messages.some((m) => m.direction === "inbound" && m.body === "Is my order on its way?"), "Meera's message is not in the inbox");
    return messages;
  });
  assert.ok(meera.some((m) => m.direction === "outbound" && m.body === "Yes, it ships today."), "the reply inside her window is not in the history");

  // the message.received event was written for the integrator's endpoints (the demo WABA's test-mode data)
  const headers = { Authorization: `Bearer ${localVar("ADMIN_TOKEN")}` };
  const key = await get("/v1/key");
  const exported = await (await fetch(`${dev.origin}/admin/wabas/${key.waba.id}/export?mode=test`, { headers })).text();
  const events = exported.split("\n").filter((l) => l.includes('"webhook_events"') && l.includes("message.received") && l.includes("Is my order on its way?"));
  assert.ok(events.length >= 1, "no message.received event for Meera's message");

  await eventually(async () => {
    const failed = (await thread("+15005550001")).filter((m) => m.direction === "outbound");
    assert.ok(failed.length > 0 && failed.every((m) => m.status === "failed" && m.error?.code === 131026), JSON.stringify(failed));
  });
  await eventually(async () => {
    const throttled = (await thread("+919812345678")).filter((m) => m.direction === "outbound" && m.body?.includes("4828"));
    assert.ok(throttled.length > 0 && throttled.every((m) => ["sent", "delivered", "read"].includes(m.status)), JSON.stringify(throttled));
  });
});
