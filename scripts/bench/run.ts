// `npm run bench` (tsx scripts/bench/run.ts): every benchmark of the WBIZ API in one run, on one
// machine, against local stacks of the bench's own — then docs/benchmarks.md and a summary here.
//
//   0. the bundles: `wrangler deploy --dry-run --outdir` for the API and for the emulator
//   1. `wrangler dev` (API + in-process emulator, and the emulator alone): the send pipeline
//   2. the proxy-free stack — the bundles in one Miniflare instance, with the bindings wrangler derives
//      from the two toml files, no dev proxy: the send pipeline (side by side with 1.), tenants side by
//      side, campaigns, media (20 MB downloads and uploads), gateway overhead, rate-limit exactness, and
//      lists on 50 000 contacts and messages
//   3. the counting stack — the same bundle in a counting shell: D1 queries and Durable Object calls per
//      request and per path, and what a message lifecycle costs inside its WABA object
//   4. docs/benchmarks.md; every process the bench started is stopped, on failure and Ctrl-C too
//
// Each stack has its own state directory under .wrangler/bench/state/, rebuilt on every run (D1
// migrations and the demo tenants of `npm run dev`; their data through the admin import route).
//
// Flags: --quick (fewer samples, for trying the bench out; the doc says so), --out <file>,
// --strict (exit 1 when a figure misses its target).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/wrangler";
import { freePort } from "../lib/free-port";
import { mark, table, type BenchContext, type SectionResult } from "./context";
import { groupsCpu } from "./cpu";
import { gatewayOverhead } from "./gateway";
import { BENCH_SIZES, LARGE_WABA, seedLargeDataset } from "./large-dataset";
import { listLatencySection, measureListLatency } from "./list-latency";
import { describeMachine, type Machine } from "./machine";
import { buildBundles, objectFiles, startMiniflareStack } from "./miniflare-stack";
import { runCountingStack } from "./object-costs";
import { perfAvailable } from "./perf";
import { rateLimitExactness } from "./rate-limit";
import { BENCH_STATE, freshRegistry, inProcessEmulatorConfig, killAllNow, prepareState, seedDataPlane, startDev, stopAll } from "./stack";
import { measureTenants, provisionTenants, tenantSection } from "./tenants";
import { configureEmulator, EMULATOR_MPS_LIMIT, measurePipeline, pipelineSection, requestKindCpu } from "./throughput";
import { campaignSection, measureCampaigns } from "./campaigns";
import { measureMedia, mediaSection } from "./media";
import { BENCH_API_VARS, DEMO } from "./context";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const strict = args.includes("--strict");
const outArg = args.indexOf("--out");
const OUT = path.resolve(ROOT, outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : "docs/benchmarks.md");

const PARAMS = quick
  ? {
      gateway: { warmup: 10, samples: 60, sendWarmup: 3, sendSamples: 20, throughput: { rounds: 2, phaseMs: 1500, concurrency: 16, keys: 16 } },
      throughput: { sends: 300, concurrency: 32 },
      tenants: { steps: [1, 4, 16], sends: 320, concurrency: 32 },
      listSamples: 5,
    }
  : {
      gateway: { warmup: 30, samples: 300, sendWarmup: 10, sendSamples: 100, throughput: { rounds: 4, phaseMs: 2500, concurrency: 16, keys: 32 } },
      throughput: { sends: 1000, concurrency: 32 },
      tenants: { steps: [1, 4, 16], sends: 1600, concurrency: 32 },
      listSamples: 15,
    };

const WRANGLER_STACK = "wrangler dev";
const PROXY_FREE = "Miniflare, no proxy";

const startedAt = new Date();
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the bench stacks…`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", killAllNow);

const rel = (p: string) => path.relative(ROOT, p);

async function main(): Promise<number> {
  const machine = describeMachine(startedAt);
  log(`machine: ${machine.CPU}; ${machine.RAM}`);
  const bundles = buildBundles(log);
  const perfOk = perfAvailable();
  const commands: string[] = [...bundles.commands];

  // 1. wrangler dev: the send pipeline
  freshRegistry();
  const wState = path.join(BENCH_STATE, "wrangler-dev");
  const wSeed = await prepareState(wState, log);
  const emulatorConfig = inProcessEmulatorConfig({ STATUS_DELAYS_MS: "none", MPS_LIMIT: String(EMULATOR_MPS_LIMIT) });
  const [apiPort, emulatorPort] = [await freePort(), await freePort()];
  const apiArgs = ["-c", "wrangler.toml", "-c", rel(emulatorConfig), "--persist-to", rel(wState), ...Object.entries(BENCH_API_VARS).flatMap(([k, v]) => ["--var", `${k}:${v}`])];
  const emulatorArgs = ["-c", "emulator/wrangler.toml", "--persist-to", rel(path.join(wState, "emulator"))];
  log(`[${WRANGLER_STACK}] starting: API on :${apiPort}, the emulator alone on :${emulatorPort}`);
  const [api, emulator] = await Promise.all([startDev("wrangler-dev-api", apiArgs, { port: apiPort }), startDev("wrangler-dev-emulator", emulatorArgs, { port: emulatorPort })]);
  commands.push(`wrangler dev ${apiArgs.join(" ")} --port <free port>`, `wrangler dev ${emulatorArgs.join(" ")} --port <free port>`);
  const demoKeys = Object.fromEntries(wSeed.keys.map((k) => [k.label, k.secret]));
  log(`[${WRANGLER_STACK}] seeding the demo data plane: ${await seedDataPlane(api.url, wSeed)} rows`);
  const wCtx: BenchContext = { stack: WRANGLER_STACK, api: api.url, emulator: emulator.url, sharedEmulator: false, demoKeys, cpu: groupsCpu([api.child.pid!, emulator.child.pid!]), logFile: api.logFile, log };
  await configureEmulator(wCtx.emulator, DEMO.metaWabaId);
  const wPipeline = await measurePipeline(wCtx, PARAMS.throughput);
  const wGateway = await gatewayOverhead(wCtx, PARAMS.gateway, true);
  const rateLimits = await rateLimitExactness(wCtx);
  await stopAll();

  // 2. the proxy-free stack
  const mState = path.join(BENCH_STATE, "miniflare");
  const mSeed = await prepareState(mState, log);
  log(`[${PROXY_FREE}] starting`);
  const mf = await startMiniflareStack({ name: "miniflare", bundles, state: mState, emulatorVars: { STATUS_DELAYS_MS: "none", MPS_LIMIT: String(EMULATOR_MPS_LIMIT) } });
  log(`[${PROXY_FREE}] ready: API ${mf.api}, emulator ${mf.emulator}; seeding the demo data plane: ${await seedDataPlane(mf.api, mSeed)} rows`);
  const mCtx: BenchContext = { stack: PROXY_FREE, api: mf.api, emulator: mf.emulator, sharedEmulator: true, demoKeys: Object.fromEntries(mSeed.keys.map((k) => [k.label, k.secret])), cpu: mf.cpu, logFile: mf.logFile, log };
  const mPipeline = await measurePipeline(mCtx, { ...PARAMS.throughput, perfPid: perfOk ? mf.workerdPid : null });
  mPipeline.kinds = await requestKindCpu(mCtx, quick ? 300 : 1000);
  const T = PARAMS.tenants;
  log(`[${PROXY_FREE}] tenants: provisioning ${Math.max(...T.steps)} WABAs`);
  const tenants = await provisionTenants(mCtx, Math.max(...T.steps), T.sends / Math.min(...T.steps));
  const tenantSteps = await measureTenants(mCtx, tenants, T);
  const campaignRun = await measureCampaigns(mCtx, { recipients: quick ? 1_000 : 10_000, singles: quick ? 5 : 20 });
  const mediaRun = await measureMedia(mCtx, { rounds: quick ? 3 : 7, workerdPid: mf.workerdPid });
  const mGateway = await gatewayOverhead(mCtx, PARAMS.gateway, false);
  log(`[${PROXY_FREE}] large data set: ${BENCH_SIZES.contacts} contacts, ${BENCH_SIZES.messages} messages through the import route`);
  const large = await seedLargeDataset(mf.api, log);
  const largest = objectFiles(mState, "WabaStore").sort((a, b) => b.bytes - a.bytes)[0];
  const lists = await measureListLatency(mf.api, large.key, { conversationId: LARGE_WABA.conversationId, samples: PARAMS.listSamples, log });
  await stopAll();

  // what the [assets] layer costs an API request: the same bundle without it, briefly (not a figure's stack)
  const bare = await startMiniflareStack({ name: "miniflare-no-assets", bundles, state: mState, withoutAssets: true, emulatorVars: { STATUS_DELAYS_MS: "none", MPS_LIMIT: String(EMULATOR_MPS_LIMIT) } });
  const [noAssets] = await requestKindCpu({ ...mCtx, api: bare.api, emulator: bare.emulator, cpu: bare.cpu, logFile: bare.logFile }, quick ? 300 : 1000, "bare");
  mPipeline.kinds.splice(2, 0, { ...noAssets!, kind: `${noAssets!.kind}, [assets] removed`, calls: "the same, without the assets router in front (a separate instance)" });
  await stopAll();

  // 3. the counting stack
  log("[counting] starting");
  const counting = await runCountingStack({ bundles, quick, log });
  await stopAll();

  const sections: SectionResult[] = [
    pipelineSection([wPipeline, mPipeline], PROXY_FREE),
    tenantSection(tenantSteps, PROXY_FREE, counting.objectCosts),
    campaignSection(campaignRun, PROXY_FREE),
    mediaSection(mediaRun, PROXY_FREE),
    listLatencySection(lists, BENCH_SIZES, { ...large, objectBytes: largest?.bytes ?? null }, PROXY_FREE),
    counting.costs,
    counting.section,
    wGateway,
    mGateway,
    rateLimits,
  ];
  const runSeconds = (performance.now() - t0) / 1000;
  const doc = render(machine, sections, { runSeconds, commands, perf: perfOk, bundles: bundles.bytes });
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, doc);
  writeFileSync(path.join(ROOT, ".wrangler/bench/results.json"), JSON.stringify({ machine, quick, pipelines: [wPipeline, mPipeline], tenantSteps, campaignRun, lists, large, objectCosts: counting.objectCosts }, (_, v) => (v instanceof Map ? Object.fromEntries(v) : v), 1));

  const figures = sections.flatMap((s) => s.figures.map((f) => ({ ...f, section: s.title })));
  const judged = figures.filter((f) => f.pass !== null);
  const missed = judged.filter((f) => f.pass === false);
  console.log(`\n${"=".repeat(100)}\nWBIZ benchmarks — ${machine.CPU}; ${machine.RAM}; ${machine.OS}\n`);
  for (const s of sections) {
    console.log(s.title);
    for (const f of s.figures) console.log(`  ${f.pass === null ? "·" : f.pass ? "✓" : "✗"} ${f.name}: ${f.value}   [target ${f.target}]`);
  }
  console.log(`\n${judged.length - missed.length} of ${judged.length} targets met${quick ? " (--quick run)" : ""}; ${runSeconds.toFixed(0)} s. Wrote ${rel(OUT)}.`);
  return strict && missed.length ? 1 : 0;
}

function render(machine: Machine, sections: SectionResult[], run: { runSeconds: number; commands: string[]; perf: boolean; bundles: { api: number; emulator: number } }): string {
  const figures = sections.flatMap((s) => s.figures.map((f) => ({ ...f, section: s.title })));
  const judged = figures.filter((f) => f.pass !== null);
  const met = judged.filter((f) => f.pass).length;
  return [
    "# Benchmarks",
    "",
    `<!-- Generated by \`npm run bench\` (scripts/bench/run.ts). Do not edit: re-run the bench. -->`,
    "",
    `Every figure on this page was measured in one run of \`npm run bench\`${quick ? " **with `--quick` (reduced samples)**" : ""} on the machine below, against local stacks the bench starts for itself. **${met} of ${judged.length} targets met.** What the figures mean for capacity on Cloudflare is in [scaling.md](scaling.md).`,
    "",
    "## Machine",
    "",
    table(["", ""], Object.entries(machine).map(([k, v]) => [k, v])),
    "",
    "## The stacks",
    "",
    `- **${WRANGLER_STACK}** — \`wrangler dev\` as a developer runs it: the API with the emulator in the same process (its META binding), and the emulator alone in a second \`wrangler dev\` (the baseline). Every request passes wrangler's dev proxy (a second workerd) and wrangler's Node process. Used for the send pipeline, and for gateway overhead and rate-limit exactness, whose targets were set on it.`,
    `- **${PROXY_FREE}** — what \`wrangler deploy --dry-run --outdir\` bundles (API ${(run.bundles.api / 1024).toFixed(0)} KiB, emulator ${(run.bundles.emulator / 1024).toFixed(0)} KiB), as two Workers in one Miniflare instance driven through Miniflare's API, with the bindings wrangler itself derives from \`wrangler.toml\` and \`emulator/wrangler.toml\` (\`unstable_getMiniflareWorkerOptions\`: D1, the KeyGate and WabaStore SQLite Durable Objects, the queues and their consumers, the rate-limit binding, assets, vars), the API's META binding being the emulator and the emulator's API binding the API. workerd serves each Worker on a socket of its own; Miniflare's Node side runs in a process of its own, off the load generator's event loop. No dev proxy: the proxy is not part of Cloudflare. The emulator alone is the same emulator Worker, reached on its own socket.`,
    `- **counting** — the same API bundle in a counting shell (scripts/bench/instrumented-entry.js: re-exports the product's Worker and classes and only wraps what they are given), in a Miniflare instance of its own: per-class call counts for requests and queue consumers, and the rows, statements and bytes of the WABA object. Nothing on it is timed against anything else.`,
    "",
    "All of it is local: workerd with Miniflare's local D1 (SQLite), Durable Objects and Queues, on this one machine, shared with the load generator (Node) and with whatever else runs on it (the CPU lines say how much that was). Absolute latencies and rates are this machine's and local workerd's, not Cloudflare's; the ratios, counts, rows and bytes are what carry over.",
    "",
    "## Summary",
    "",
    table(["section", "figure", "value", "target", "result"], figures.map((f) => [f.section, f.name, f.value, f.target, mark(f.pass)])),
    "",
    ...sections.flatMap((s, i) => [`## ${i + 1}. ${s.title}`, "", s.markdown, ""]),
    "## The run",
    "",
    `- State: one directory per stack under \`${rel(BENCH_STATE)}/\` (D1, Durable Objects and queues; \`<dir>/v3\` as \`wrangler dev --persist-to <dir>\` lays it out), deleted and rebuilt at the start of every run: D1 migrations and the demo tenants' control plane (\`wrangler d1 migrations apply\` / \`wrangler d1 execute --local --persist-to\`), then, once the stack serves, their data plane through \`POST /admin/wabas/{id}/import\` as \`npm run dev\` does. A developer's \`npm run dev\` data (\`.wrangler/state\`) is never touched; the \`wrangler dev\` processes use a dev registry of their own (\`.wrangler/bench/registry\`).`,
    `- Commands (each stack in its own process group, stopped at the end, on failure and on Ctrl-C):`,
    ...run.commands.map((c) => `  - \`${c}\``),
    `  - the proxy-free and counting stacks: \`tsx scripts/bench/miniflare-server.ts\` (Miniflare's API; see scripts/bench/miniflare-stack.ts)`,
    `- The in-process emulator of \`wrangler dev\` runs with two vars added (\`STATUS_DELAYS_MS=none\`, \`MPS_LIMIT=${EMULATOR_MPS_LIMIT}\`, written to \`.wrangler/bench/emulator.wrangler.toml\`); the Miniflare stacks' emulator gets the same two as bindings. Logs: \`.wrangler/bench/logs/\`; raw figures: \`.wrangler/bench/results.json\`.`,
    `- CPU: /proc (user + system) for the stacks' processes, the load generator and the whole machine${run.perf ? "; `perf record` on the proxy-free stack's workerd for the breakdown by native symbol" : "; `perf` was not available, so there is no breakdown by native symbol"}.`,
    `- Order: ${WRANGLER_STACK} (send pipeline, gateway overhead, rate limits); ${PROXY_FREE} (send pipeline, tenants, campaigns, gateway overhead, large data set and lists); counting (per-request costs, per-object cost). Whole run, seeding included: ${run.runSeconds.toFixed(0)} s.`,
    "",
  ].join("\n");
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(`\nbench failed: ${(err as Error)?.stack ?? err}`);
  await stopAll();
  process.exitCode = 1;
}
