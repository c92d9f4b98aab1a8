// `npm run bench` (tsx scripts/bench/run.ts): every benchmark of the WBIZ API in one run, on one
// machine, against a local stack of the bench's own — then docs/benchmarks.md and a summary here.
//
//   1. a fresh state directory (.wrangler/bench-state): D1 migrations, the demo tenant, the large data set
//   2. `wrangler dev` for the API with its in-process emulator, and the emulator alone on a second port
//   3. D1/DO per request · gateway overhead · rate-limit exactness · send throughput · list latency
//   4. docs/benchmarks.md; every process the bench started is stopped, on failure and Ctrl-C too
//
// Flags: --quick (fewer samples, for trying the bench out; the doc says so), --out <file>,
// --strict (exit 1 when a figure misses its target).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../lib/wrangler";
import { mark, table, type BenchContext, type SectionResult } from "./context";
import { requestCosts } from "./costs";
import { gatewayOverhead } from "./gateway";
import { BENCH_IDS, BENCH_SIZES } from "./large-dataset";
import { listLatencySection, measureListLatency } from "./list-latency";
import { describeMachine, type Machine } from "./machine";
import { rateLimitExactness } from "./rate-limit";
import { freePort } from "../lib/free-port";
import { BENCH_STATE, inProcessEmulatorConfig, killAllNow, prepareState, startDev, stopAll } from "./stack";
import { configureStandaloneEmulator, EMULATOR_MPS_LIMIT, sendThroughput } from "./throughput";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const strict = args.includes("--strict");
const outArg = args.indexOf("--out");
const OUT = path.resolve(ROOT, outArg >= 0 && args[outArg + 1] ? args[outArg + 1]! : "docs/benchmarks.md");

const PARAMS = quick
  ? { gateway: { warmup: 10, samples: 60, sendWarmup: 3, sendSamples: 20, throughput: { rounds: 2, phaseMs: 1500, concurrency: 16, keys: 16 } }, throughput: { sends: 300, concurrency: 32 }, listSamples: 5 }
  : { gateway: { warmup: 30, samples: 300, sendWarmup: 10, sendSamples: 100, throughput: { rounds: 4, phaseMs: 2500, concurrency: 16, keys: 32 } }, throughput: { sends: 1000, concurrency: 32 }, listSamples: 15 };

const startedAt = new Date();
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (line: string) => console.log(`[bench ${elapsed()}] ${line}`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the bench stack…`);
    void stopAll().finally(() => process.exit(130));
  });
}
process.on("exit", killAllNow);

async function main(): Promise<number> {
  const machine = describeMachine(startedAt);
  log(`machine: ${machine.CPU}; ${machine.RAM}`);

  const { benchKey, demoKeys } = await prepareState(log);
  const emulatorConfig = inProcessEmulatorConfig({ STATUS_DELAYS_MS: "none", MPS_LIMIT: String(EMULATOR_MPS_LIMIT) });
  const [apiPort, emulatorPort] = [await freePort(), await freePort()];
  const apiArgs = ["-c", "wrangler.toml", "-c", path.relative(ROOT, emulatorConfig), "--persist-to", path.relative(ROOT, BENCH_STATE), "--var", "LOG_RELAY_COSTS:true"];
  const emulatorArgs = ["-c", "emulator/wrangler.toml", "--persist-to", path.relative(ROOT, path.join(BENCH_STATE, "emulator"))];
  log(`starting wrangler dev: API on :${apiPort}, emulator alone on :${emulatorPort}`);
  const [api, emulator] = await Promise.all([startDev("api", apiArgs, { port: apiPort }), startDev("emulator", emulatorArgs, { port: emulatorPort })]);
  log(`ready: ${api.url} and ${emulator.url}`);

  const ctx: BenchContext = { api: api.url, emulator: emulator.url, demoKeys: Object.fromEntries(demoKeys.map((k) => [k.label, k.secret])), benchKey, apiLog: api.logFile, apiPgid: api.child.pid!, log };
  await configureStandaloneEmulator(ctx.emulator);

  const sections: SectionResult[] = [];
  sections.push(await gatewayOverhead(ctx, PARAMS.gateway));
  sections.push(await sendThroughput(ctx, PARAMS.throughput));
  sections.push(await rateLimitExactness(ctx));
  sections.push(await requestCosts(ctx));
  const lists = await measureListLatency(ctx.api, benchKey, { conversationId: BENCH_IDS.conversationId, samples: PARAMS.listSamples, log });
  sections.push(listLatencySection(lists, BENCH_SIZES));

  await stopAll();
  const runSeconds = (performance.now() - t0) / 1000;
  const doc = render(machine, sections, {
    runSeconds,
    commands: [`wrangler dev ${apiArgs.join(" ")} --port <free port>`, `wrangler dev ${emulatorArgs.join(" ")} --port <free port>`],
  });
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, doc);

  const figures = sections.flatMap((s) => s.figures.map((f) => ({ ...f, section: s.title })));
  const judged = figures.filter((f) => f.pass !== null);
  const missed = judged.filter((f) => f.pass === false);
  console.log(`\n${"=".repeat(100)}\nWBIZ benchmarks — ${machine.CPU}; ${machine.RAM}; ${machine.OS}\n`);
  for (const s of sections) {
    console.log(s.title);
    for (const f of s.figures) console.log(`  ${f.pass === null ? "·" : f.pass ? "✓" : "✗"} ${f.name}: ${f.value}   [target ${f.target}]`);
  }
  console.log(`\n${judged.length - missed.length} of ${judged.length} targets met${quick ? " (--quick run)" : ""}; ${runSeconds.toFixed(0)} s. Wrote ${path.relative(ROOT, OUT)}.`);
  return strict && missed.length ? 1 : 0;
}

function render(machine: Machine, sections: SectionResult[], run: { runSeconds: number; commands: string[] }): string {
  const figures = sections.flatMap((s) => s.figures.map((f) => ({ ...f, section: s.title })));
  const judged = figures.filter((f) => f.pass !== null);
  const met = judged.filter((f) => f.pass).length;
  return [
    "# Benchmarks",
    "",
    `<!-- Generated by \`npm run bench\` (scripts/bench/run.ts). Do not edit: re-run the bench. -->`,
    "",
    `Every figure on this page was measured in one run of \`npm run bench\`${quick ? " **with `--quick` (reduced samples)**" : ""} on the machine below, side by side, against a local stack the bench starts for itself. **${met} of ${judged.length} targets met.**`,
    "",
    "## Machine",
    "",
    table(["", ""], Object.entries(machine).map(([k, v]) => [k, v])),
    "",
    "All of it runs locally under `wrangler dev`: workerd with Miniflare's local D1 (SQLite), Durable Objects and Queues, on this one machine, with the load generator (Node) beside it. Absolute latencies are those of this machine and of local workerd, not of Cloudflare's network; the ratios and counts are what carry over.",
    "",
    "## Summary",
    "",
    table(["section", "figure", "value", "target", "result"], figures.map((f) => [f.section, f.name, f.value, f.target, mark(f.pass)])),
    "",
    ...sections.flatMap((s, i) => [`## ${i + 1}. ${s.title}`, "", s.markdown, ""]),
    "## The run",
    "",
    `- State: \`${path.relative(ROOT, BENCH_STATE)}/\`, deleted and rebuilt at the start of every run (D1 migrations, the demo tenant of \`npm run dev\`, the large data set), so a developer's \`npm run dev\` data (\`.wrangler/state\`) is never touched. The bench's \`wrangler dev\` processes use their own dev registry (\`WRANGLER_REGISTRY_PATH=.wrangler/bench/registry\`) so they neither find nor replace the workers of a running \`npm run dev\`.`,
    `- Processes (each in its own process group, stopped at the end, on failure and on Ctrl-C):`,
    ...run.commands.map((c) => `  - \`${c}\``),
    `- The in-process emulator's config is \`emulator/wrangler.toml\` with two vars added (\`STATUS_DELAYS_MS=none\`, \`MPS_LIMIT=${EMULATOR_MPS_LIMIT}\`), written to \`.wrangler/bench/emulator.wrangler.toml\`; logs are in \`.wrangler/bench/logs/\`.`,
    `- Keys: the demo keys of \`npm run dev\` (scale key for sends and per-request costs), the large data set's key for the lists, and keys provisioned for this run through \`POST /admin/keys\` (gateway latency, polling, one per rate-limit plan).`,
    `- Section order: gateway overhead, send throughput, rate limits, per-request costs, list latency. Whole run, seeding included: ${run.runSeconds.toFixed(0)} s.`,
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
