// `npm run admin -- <command> [--flag value …]`: provisioning against a WBIZ API, local or deployed.
// WBIZ_API_URL (default http://localhost:8787) and WBIZ_ADMIN_TOKEN (default: the local dev token).
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
  phone:add          --waba <wabaId> --meta-phone-number-id <id> --display <"+1 555…"> [--default]
  phone:list         --waba <wabaId>
  key:create         --waba <wabaId> --name <name> --scopes "messages:send templates:read …" [--mode live|test] [--plan <override>]
  key:list           [--workspace <workspaceId>] [--waba <wabaId>]
  key:revoke         --id <keyId>
  templates:sync     --waba <wabaId>
  waba:alerts        --waba <wabaId>          Meta's system-level errors for the WABA, newest first
  waba:export        --waba <wabaId> [--out <file.jsonl>]   all of the WABA's data as JSON lines (stdout without --out)
  waba:erase         --waba <wabaId> --yes    deletes the WABA: its data, phone numbers and keys (offboarding, erasure requests)

Environment: WBIZ_API_URL (default http://localhost:8787), WBIZ_ADMIN_TOKEN (default: the local dev token).
Output is JSON.`;

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

const qs = (params: Record<string, string | undefined>) => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries)}` : "";
};

const commands: Record<string, (f: Flags) => Promise<unknown>> = {
  "workspace:create": (f) => call("POST", "/admin/workspaces", { name: need(f, "name"), plan: opt(f, "plan") ?? "starter" }),
  "workspace:list": () => call("GET", "/admin/workspaces"),
  "workspace:update": (f) => call("PATCH", `/admin/workspaces/${need(f, "id")}`, { name: opt(f, "name"), plan: opt(f, "plan") }),
  "waba:create": (f) =>
    call("POST", "/admin/wabas", { workspaceId: need(f, "workspace"), metaWabaId: need(f, "meta-waba-id"), name: need(f, "name"), accessToken: need(f, "access-token") }),
  "waba:list": (f) => call("GET", `/admin/wabas${qs({ workspaceId: opt(f, "workspace") })}`),
  "waba:update": (f) => call("PATCH", `/admin/wabas/${need(f, "id")}`, { name: opt(f, "name"), accessToken: opt(f, "access-token") }),
  "phone:add": (f) =>
    call("POST", `/admin/wabas/${need(f, "waba")}/phone-numbers`, {
      metaPhoneNumberId: need(f, "meta-phone-number-id"),
      displayPhoneNumber: need(f, "display"),
      ...(f.default === true ? { isDefault: true } : {}),
    }),
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
  console.log(JSON.stringify(await run(flags), null, 2));
} catch (err) {
  console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
  process.exit(2);
}
