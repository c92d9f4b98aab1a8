// The proxy-free stack's own process (started by miniflare-stack.ts, never by hand): Miniflare's Node
// side — its loopback server, which workerd calls for logs, e.g. after every queue batch — lives here
// rather than in the load generator's process, so the two neither share an event loop nor blur the
// CPU accounting. Prints `READY <json>` once both Workers serve; SIGTERM disposes of Miniflare.
import { startMiniflare, type MiniflareOptions } from "./miniflare-stack";

const opts = JSON.parse(process.argv[2]!) as MiniflareOptions;
const stack = await startMiniflare(opts);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdout.write(`READY ${JSON.stringify({ api: stack.api, emulator: stack.emulator, workerdPid: stack.workerdPid })}\n`);
