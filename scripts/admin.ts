// `npm run admin -- <command> [--flag value …]`: provisioning against a WBIZ API, local or deployed.
// WBIZ_API_URL (default http://localhost:8787) and WBIZ_ADMIN_TOKEN (default: the local dev token).
// Against a local API (`npm run dev`), waba:create, waba:update and phone:add also tell the Cloud API
// emulator, Meta's stand-in, through the API's dev proxy (/__emulator/*): there is no Meta to have
// created the WABA and its number, so the emulator learns them here and the WABA can sync and send.
import { createWriteStream } from "node:fs";
import { localVar } from "./lib/wrangler";

type Flags = Record<string, string | boolean>;

const USAGE = `Usage: npm run admin -- <command> [flags]

  workspace:create   --name <name> [--plan starter|growth|scale]
  workspace:list
  workspace:update   --id <workspaceId> [--name <name>] [--plan starter|growth|scale]
  waba:create        --workspace <workspaceId> --meta-waba-id <id> --name <name> --access-token <token>
  waba:list          [--workspace <workspaceId>]
  waba:update        --id <wabaId> [--name <name>] [--access-token <token>]
  phone:add          --waba <wabaId> --meta-phone-number-id <id> --display <"+1 555…"> [--default] [--mps <messages/s>]
  phone:list         --waba <wabaId>
  key:create         --waba <wabaId> --name <name> --scopes "messages:send templates:read …" [--mode live|test] [--plan <override>]
  key:list           [--workspace <workspaceId>] [--waba <wabaId>]
  key:revoke         --id <keyId>
  templates:sync     --waba <wabaId>
  waba:alerts        --waba <wabaId>          Meta's system-level errors for the WABA, newest first
  waba:export        --waba <wabaId> [--out <file.jsonl>]   all of the WABA's data as JSON lines (stdout without --out)
  waba:erase         --waba <wabaId> --yes    deletes the WABA: its data, phone numbers and keys (offboarding, erasure requests)

Environment: WBIZ_API_URL (default http://localhost:8787), WBIZ_ADMIN_TOKEN (default: the local dev token).
Output is JSON; --field <name> prints only that field of it (e.g. --field id, --field secret), for scripts.
Against a local API (localhost), waba:create, waba:update --access-token and phone:add also register the
WABA and its number with the local Cloud API emulator (through /__emulator/* on the API).`;

function parse(argv: string[]): { command: string | undefined; flags: Flags } {
  const [command, ...rest] = argv;
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument: ${arg}`);
    const name = arg.slice(2);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith("--")) flags[name] = true;
    else {
      flags[name] = next;
      i++;
    }
  }
  return { command, flags };
}

function need(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || v === "") throw new Error(`--${name} is required`);
  return v;
}
const opt = (flags: Flags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string) : undefined);

const base = () => (process.env.WBIZ_API_URL ?? "http://localhost:8787").replace(/\/$/, "");

/** A request to the admin API; a server that does not answer is said so, not shown as a usage error. */
async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const token = process.env.WBIZ_ADMIN_TOKEN ?? localVar("ADMIN_TOKEN");
  try {
    return await fetch(base() + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    console.error(`error: the WBIZ API at ${base()} is not reachable (${(err as Error).cause ?? (err as Error).message}). Is \`npm run dev\` running, or WBIZ_API_URL set?`);
    process.exit(1);
  }
}

/** Streams the WABA's export to a file or stdout. */
async function exportWaba(wabaId: string, out: string | undefined): Promise<unknown> {
  const res = await request("GET", `/admin/wabas/${wabaId}/export`);
  if (!res.ok || !res.body) {
    console.error(await res.text());
    process.exit(1);
  }
  const target = out ? createWriteStream(out) : process.stdout;
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (!target.write(chunk)) await new Promise<void>((r) => target.once("drain", () => r()));
  }
  if (out) {
    await new Promise<void>((r) => (target as ReturnType<typeof createWriteStream>).end(() => r()));
    return { wabaId, file: out, bytes };
  }
  process.exit(0);
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await request(method, path, body);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    console.error(JSON.stringify(data, null, 2));
    process.exit(1);
  }
  return data;
}

/** The API runs on this machine (`npm run dev`): its Meta is the emulator, reached through the dev proxy. */
function isLocal(): boolean {
  const host = new URL(base()).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host.endsWith(".localhost");
}

/** What happened on the emulator's side, on stderr so that stdout stays the admin API's JSON. */
const note = (message: string) => console.error(`emulator: ${message}`);

/** A call to the local emulator's control API; null when the API has no dev proxy (not `npm run dev`). */
async function emulator(method: string, path: string, body?: unknown): Promise<{ status: number; json: any } | null> {
  const res = await fetch(`${base()}/__emulator${path}`, {
    method,
    headers: body ? { "Content-Type": "application/json" } : undefined,
    body: body ? JSON.stringify(body) : undefined,
  }).catch(() => null);
  if (!res) return null;
  const json: any = await res.json().catch(() => null);
  // the API's own 404 (its envelope has a code; the emulator's errors have none): no proxy there
  if (res.status === 404 && json?.error?.code !== undefined) return null;
  return { status: res.status, json };
}

const NO_PROXY = "the API has no emulator proxy (/__emulator/*), so the emulator was not told (with AUTO_REGISTER it learns the WABA on first use)";

/** waba:create / waba:update: the emulator gets the WABA (with the starter templates) or its new token. */
async function tellEmulatorWaba(waba: { metaWabaId: string; name?: string; accessToken?: string }): Promise<void> {
  if (!isLocal()) return;
  const known = await emulator("GET", `/wabas/${waba.metaWabaId}`);
  if (!known) return note(NO_PROXY);
  if (known.status === 404) {
    if (waba.accessToken === undefined) return;
    const created = await emulator("POST", "/wabas", { ...waba, phoneNumbers: [], starterTemplates: true });
    if (created?.status === 201) return note(`registered WABA ${waba.metaWabaId} with its token and the starter templates (hello_world, order_update)`);
    return note(`could not register WABA ${waba.metaWabaId}: ${JSON.stringify(created?.json)}`);
  }
  const patch = { ...(waba.accessToken ? { accessToken: waba.accessToken } : {}), ...(waba.name ? { name: waba.name } : {}) };
  const updated = await emulator("PATCH", `/wabas/${waba.metaWabaId}`, patch);
  note(updated?.status === 200 ? `WABA ${waba.metaWabaId} was known; updated it` : `could not update WABA ${waba.metaWabaId}: ${JSON.stringify(updated?.json)}`);
}

/** phone:add: the number joins its WABA on the emulator. */
async function tellEmulatorPhone(wabaId: string, phone: { metaPhoneNumberId: string; displayPhoneNumber: string }): Promise<void> {
  if (!isLocal()) return;
  const { data } = (await call("GET", "/admin/wabas")) as { data: Array<{ id: string; metaWabaId: string; name: string }> };
  const waba = data.find((w) => w.id === wabaId);
  if (!waba) return;
  const added = await emulator("POST", `/wabas/${waba.metaWabaId}/phone-numbers`, { ...phone, verifiedName: waba.name });
  if (!added) return note(NO_PROXY);
  if (added.status === 201 || added.status === 200) return note(`phone number ${phone.metaPhoneNumberId} is WABA ${waba.metaWabaId}'s`);
  if (added.status === 404) {
    return note(`the emulator does not know WABA ${waba.metaWabaId} (it restarted since waba:create?); with AUTO_REGISTER it learns the WABA and this number on first use`);
  }
  note(`could not add phone number ${phone.metaPhoneNumberId}: ${JSON.stringify(added.json)}`);
}

const qs = (params: Record<string, string | undefined>) => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries)}` : "";
};

const commands: Record<string, (f: Flags) => Promise<unknown>> = {
  "workspace:create": (f) => call("POST", "/admin/workspaces", { name: need(f, "name"), plan: opt(f, "plan") ?? "starter" }),
  "workspace:list": () => call("GET", "/admin/workspaces"),
  "workspace:update": (f) => call("PATCH", `/admin/workspaces/${need(f, "id")}`, { name: opt(f, "name"), plan: opt(f, "plan") }),
  "waba:create": async (f) => {
    const input = { workspaceId: need(f, "workspace"), metaWabaId: need(f, "meta-waba-id"), name: need(f, "name"), accessToken: need(f, "access-token") };
    const created = await call("POST", "/admin/wabas", input);
    await tellEmulatorWaba({ metaWabaId: input.metaWabaId, name: input.name, accessToken: input.accessToken });
    return created;
  },
  "waba:list": (f) => call("GET", `/admin/wabas${qs({ workspaceId: opt(f, "workspace") })}`),
  "waba:update": async (f) => {
    const updated = (await call("PATCH", `/admin/wabas/${need(f, "id")}`, { name: opt(f, "name"), accessToken: opt(f, "access-token") })) as { metaWabaId: string };
    const accessToken = opt(f, "access-token");
    if (accessToken !== undefined) await tellEmulatorWaba({ metaWabaId: updated.metaWabaId, accessToken });
    return updated;
  },
  "phone:add": async (f) => {
    const phone = { metaPhoneNumberId: need(f, "meta-phone-number-id"), displayPhoneNumber: need(f, "display") };
    const added = await call("POST", `/admin/wabas/${need(f, "waba")}/phone-numbers`, { ...phone, ...(f.default === true ? { isDefault: true } : {}), ...(opt(f, "mps") !== undefined ? { throughputMps: Number(opt(f, "mps")) } : {}) });
    await tellEmulatorPhone(need(f, "waba"), phone);
    return added;
  },
  "phone:list": (f) => call("GET", `/admin/wabas/${need(f, "waba")}/phone-numbers`),
  "key:create": (f) =>
    call("POST", "/admin/keys", {
      wabaId: need(f, "waba"),
      name: need(f, "name"),
      scopes: need(f, "scopes").split(/[\s,]+/).filter(Boolean),
      mode: opt(f, "mode") ?? "live",
      ...(opt(f, "plan") ? { planOverride: opt(f, "plan") } : {}),
    }),
  "key:list": (f) => call("GET", `/admin/keys${qs({ workspaceId: opt(f, "workspace"), wabaId: opt(f, "waba") })}`),
  "key:revoke": (f) => call("POST", `/admin/keys/${need(f, "id")}/revoke`),
  "templates:sync": (f) => call("POST", `/admin/wabas/${need(f, "waba")}/templates/sync`),
  "waba:alerts": (f) => call("GET", `/admin/wabas/${need(f, "waba")}/alerts`),
  "waba:export": (f) => exportWaba(need(f, "waba"), opt(f, "out")),
  "waba:erase": (f) => {
    if (f.yes !== true) throw new Error("waba:erase deletes the WABA and all its data for good: add --yes to confirm");
    return call("DELETE", `/admin/wabas/${need(f, "waba")}`);
  },
};

try {
  const { command, flags } = parse(process.argv.slice(2));
  const run = command ? commands[command] : undefined;
  if (command !== undefined && command !== "help" && !run) {
    console.error(`error: unknown command "${command}"\n\n${USAGE}`);
    process.exit(2);
  }
  if (!run || flags.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const result = await run(flags);
  const field = opt(flags, "field");
  if (field === undefined) console.log(JSON.stringify(result, null, 2));
  else {
    const value = (result as Record<string, unknown> | null)?.[field];
    if (value === undefined) throw new Error(`the answer has no field "${field}": ${JSON.stringify(result)}`);
    console.log(typeof value === "string" ? value : JSON.stringify(value));
  }
} catch (err) {
  console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
