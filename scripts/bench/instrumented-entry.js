// The bench's counting shell around the API bundle that `wrangler deploy --dry-run` built (copied next
// to it as bench-entry.js and made the Worker's entry by object-costs.ts, for the "per-object cost" stack
// only; the timed stacks run the bundle alone). The product's code is unchanged: this module re-exports
// its Worker and its two Durable Object classes, and only wraps what they are given —
//
// - every request: its env's D1 and Durable Object namespaces count D1 statements and calls per class
//   and method; the answer carries them as `X-Bench-Calls` (JSON), next to the product's Server-Timing;
// - every queue batch: the same counts, summed per queue (GET /__bench/consumers);
// - WabaStore: its storage's SQL statements with the rows they read and wrote (SqlStorageCursor's
//   rowsRead / rowsWritten, what Cloudflare bills), its RPC calls by method, its D1 queries, and
//   benchLifecycles() — n message lifecycles run inside the object, step by step, for the per-step cost.
//
// Routes under /__bench/ are answered here and never reach the product.
import worker, { KeyGate as ProductKeyGate, WabaStore as ProductWabaStore } from "./index.js";

// ---- counting wrappers --------------------------------------------------------------------------------

const unwrapped = new WeakMap();

function bindAll(target, prop) {
  const value = Reflect.get(target, prop, target);
  return typeof value === "function" ? value.bind(target) : value;
}

function countingD1(db, counts) {
  const statement = (stmt) => {
    const proxy = new Proxy(stmt, {
      get(t, p) {
        if (p === "bind") return (...args) => statement(t.bind(...args));
        if (p === "all" || p === "first" || p === "run" || p === "raw") {
          return (...args) => {
            counts.d1++;
            return t[p](...args);
          };
        }
        return bindAll(t, p);
      },
    });
    unwrapped.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(t, p) {
      if (p === "prepare") return (...args) => statement(t.prepare(...args));
      if (p === "batch") {
        return (list, ...rest) => {
          counts.d1 += list.length;
          return t.batch(list.map((s) => unwrapped.get(s) ?? s), ...rest);
        };
      }
      if (p === "exec") {
        return (...args) => {
          counts.d1++;
          return t.exec(...args);
        };
      }
      return bindAll(t, p);
    },
  });
}

function countingNamespace(ns, counts, cls) {
  const stub = (s) =>
    new Proxy(s, {
      get(t, p) {
        const value = Reflect.get(t, p);
        if (typeof value !== "function" || typeof p !== "string") return value;
        return (...args) => {
          const calls = (counts[cls] ??= {});
          calls[p] = (calls[p] ?? 0) + 1;
          return t[p](...args);
        };
      },
    });
  return new Proxy(ns, {
    get(t, p) {
      if (p === "get") return (...args) => stub(t.get(...args));
      if (p === "getByName") return (...args) => stub(t.getByName(...args));
      return bindAll(t, p);
    },
  });
}

const emptyCounts = () => ({ d1: 0, KeyGate: {}, WabaStore: {} });

function countingEnv(env, counts) {
  return { ...env, DB: countingD1(env.DB, counts), KEY_GATE: countingNamespace(env.KEY_GATE, counts, "KeyGate"), WABA_STORE: countingNamespace(env.WABA_STORE, counts, "WabaStore") };
}

function addCounts(into, c) {
  into.d1 += c.d1;
  for (const cls of ["KeyGate", "WabaStore"]) for (const [m, n] of Object.entries(c[cls])) into[cls][m] = (into[cls][m] ?? 0) + n;
}

/** per queue: { batches, messages, d1, KeyGate: {method: n}, WabaStore: {method: n} } */
let consumers = {};

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function benchRoute(request, env, url) {
  if (url.pathname === "/__bench/consumers") return json(consumers);
  if (url.pathname === "/__bench/reset" && request.method === "POST") {
    consumers = {};
    return json({ ok: true });
  }
  const wabaId = url.searchParams.get("wabaId");
  if (!wabaId) return json({ error: "wabaId" }, 400);
  const store = env.WABA_STORE.get(env.WABA_STORE.idFromName(wabaId));
  if (url.pathname === "/__bench/object") return json(await store.benchStats(url.searchParams.get("reset") === "1"));
  if (url.pathname === "/__bench/lifecycles" && request.method === "POST") return json(await store.benchLifecycles(wabaId, await request.json()));
  if (url.pathname === "/__bench/retention" && request.method === "POST") return json(await store.benchRetention(wabaId, await request.json()));
  return json({ error: "unknown bench route" }, 404);
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__bench/")) return benchRoute(request, env, url);
    const counts = emptyCounts();
    const res = await worker.fetch(request, countingEnv(env, counts), ctx);
    const out = new Response(res.body, res);
    out.headers.set("X-Bench-Calls", JSON.stringify(counts));
    return out;
  },
  async queue(batch, env, ctx) {
    const counts = emptyCounts();
    try {
      return await worker.queue(batch, countingEnv(env, counts), ctx);
    } finally {
      const q = (consumers[batch.queue] ??= { batches: 0, messages: 0, ...emptyCounts() });
      q.batches++;
      q.messages += batch.messages.length;
      addCounts(q, counts);
    }
  },
  scheduled: worker.scheduled,
};

export class KeyGate extends ProductKeyGate {}

// ---- the WABA object, counted -------------------------------------------------------------------------

const newStats = () => ({ calls: {}, statements: 0, rowsRead: 0, rowsWritten: 0, d1: 0 });

export class WabaStore extends ProductWabaStore {
  constructor(ctx, env) {
    const state = { stats: newStats(), cursors: [], queues: { muted: false }, d1: { d1: 0 }, rawSql: ctx.storage.sql };
    const sql = new Proxy(ctx.storage.sql, {
      get(t, p) {
        if (p === "exec") {
          return (...args) => {
            const cursor = t.exec(...args);
            state.stats.statements++;
            state.cursors.push(cursor);
            return cursor;
          };
        }
        return bindAll(t, p);
      },
    });
    const storage = new Proxy(ctx.storage, { get: (t, p) => (p === "sql" ? sql : bindAll(t, p)) });
    const wrappedCtx = new Proxy(ctx, { get: (t, p) => (p === "storage" ? storage : bindAll(t, p)) });
    const muted = (q) => new Proxy(q, { get: (t, p) => (state.queues.muted && (p === "send" || p === "sendBatch") ? async () => {} : bindAll(t, p)) });
    const wrappedEnv = { ...env, DB: countingD1(env.DB, state.d1), SEND_QUEUE: muted(env.SEND_QUEUE), WEBHOOK_QUEUE: muted(env.WEBHOOK_QUEUE) };
    // the runtime checks the state's type, so the object is built with the real one and its methods are
    // then given the counting view (the product's constructor migrates with the real one: not counted)
    super(ctx, wrappedEnv);
    Object.defineProperty(this, "ctx", { value: wrappedCtx, writable: true, configurable: true, enumerable: true });
    this.benchState = state;
  }

  /** Rows read and written by the statements so far (their cursors are settled by now). */
  #settle() {
    const { stats, cursors, d1 } = this.benchState;
    for (const c of cursors.splice(0)) {
      stats.rowsRead += c.rowsRead;
      stats.rowsWritten += c.rowsWritten;
    }
    stats.d1 = d1.d1;
    return stats;
  }

  async benchStats(reset) {
    const stats = structuredClone(this.#settle());
    const out = { ...stats, databaseSize: this.benchState.rawSql.databaseSize };
    if (reset) {
      this.benchState.stats = newStats();
      this.benchState.d1.d1 = 0;
    }
    return out;
  }

  /**
   * `n` message lifecycles inside this object, one step at a time: the send (as the route calls it,
   * respond-async), the relay's claim and its report of Meta's answer, then Meta's sent, delivered and
   * read statuses (and, with `inbound`, one inbound message), each as the RPC method the product calls.
   * Queue effects are muted (no relay or webhook runs); returns rows and statements per step and the
   * database's growth. The caller times it and reads workerd's CPU around it.
   */
  async benchLifecycles(wabaId, { n, to, metaWabaId, phoneNumberId, inbound, bodyChars = 0 }) {
    this.#settle();
    const steps = {};
    const size0 = this.benchState.rawSql.databaseSize;
    const step = async (name, fn) => {
      const s0 = { ...this.#settle() };
      const result = await fn();
      const s1 = this.#settle();
      const acc = (steps[name] ??= { count: 0, statements: 0, rowsRead: 0, rowsWritten: 0 });
      acc.count++;
      acc.statements += s1.statements - s0.statements;
      acc.rowsRead += s1.rowsRead - s0.rowsRead;
      acc.rowsWritten += s1.rowsWritten - s0.rowsWritten;
      return result;
    };
    const run = Date.now().toString(36);
    const statusJob = (wamid, status, i) => ({
      metaWabaId,
      field: "messages",
      value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550109999", phone_number_id: phoneNumberId },
        statuses: [{ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: to.replace(/^\+/, "") }],
      },
      receivedAt: Date.now() + i,
    });
    this.benchState.queues.muted = true;
    const t0 = Date.now();
    try {
      for (let i = 0; i < n; i++) {
        const body = `bench lifecycle ${run} ${i} `.padEnd(bodyChars, "lorem ipsum dolor sit amet ");
        const sent = await step("send", () => this.send(wabaId, { route: "text", input: { to, body } }, "bench-key", { wait: false, waitMs: 0 }));
        if (sent.kind !== "queued") throw new Error(`send not queued: ${JSON.stringify(sent)}`);
        const [claim] = await step("claimSend", () => this.claimSends(wabaId, [sent.messageId], { intervalMs: 0, burst: 1 }));
        if (claim.kind !== "claimed") throw new Error(`claim: ${JSON.stringify(claim)}`);
        const wamid = `wamid.BENCHLC${run}${i}`;
        await step("completeSend", () => this.completeSends(wabaId, [{ messageId: sent.messageId, result: { kind: "accepted", wamid, held: false } }]));
        for (const status of ["sent", "delivered", "read"]) await step(`status ${status}`, () => this.applyMetaChanges(wabaId, [statusJob(wamid, status, i)]));
        if (inbound) {
          await step("inbound message", () =>
            this.applyMetaChanges(wabaId, [{
              metaWabaId,
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "15550109999", phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: "Bench" }, wa_id: to.replace(/^\+/, "") }],
                messages: [{ from: to.replace(/^\+/, ""), id: `wamid.BENCHIN${run}${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: `bench inbound ${i}` } }],
              },
              receivedAt: Date.now(),
            }]),
          );
        }
      }
    } finally {
      this.benchState.queues.muted = false;
    }
    return { n, steps, bytes: this.benchState.rawSql.databaseSize - size0, databaseSize: this.benchState.rawSql.databaseSize, innerMs: Date.now() - t0 };
  }
}

Object.assign(WabaStore.prototype, {
  /** page_count × page_size, and the free pages in it (when the runtime lets PRAGMA freelist_count through) */
  benchPages() {
    const sql = this.benchState.rawSql;
    let free = null;
    try {
      free = sql.exec("PRAGMA freelist_count").one().freelist_count;
    } catch {
      // not allowed here
    }
    let pageSize = null;
    try {
      pageSize = sql.exec("PRAGMA page_size").one().page_size;
    } catch {
      // not allowed here
    }
    return { databaseSize: sql.databaseSize, freePages: free, pageSize };
  },

  /**
   * Retention in this object: `n` lifecycles, then the product's sweep (its alarm's work) run as if
   * `retentionDays` + 1 days had passed, until it has nothing left to prune; pages before and after each.
   */
  async benchRetention(wabaId, opts) {
    const before = this.benchPages();
    const lifecycles = await this.benchLifecycles(wabaId, opts);
    const grown = this.benchPages();
    const later = Date.now() + (opts.retentionDays + 1) * 86_400_000;
    let pruned = 0;
    let sweeps = 0;
    for (;;) {
      const r = await this.sweepNow(wabaId, later);
      pruned += r.pruned;
      sweeps++;
      if (!r.more || sweeps > 1000) break;
    }
    const swept = this.benchPages();
    // the first lifecycles ran the number's pacing lane ahead of the clock: let it catch up (the caller says how long)
    await new Promise((resolve) => setTimeout(resolve, opts.catchUpMs ?? 0));
    const again = await this.benchLifecycles(wabaId, opts);
    const regrown = this.benchPages();
    return { n: opts.n, pruned, sweeps, before, grown, swept, regrown, bytesFirst: lifecycles.bytes, bytesAgain: again.bytes };
  },
});

// every RPC method of the product's class, counted (private methods are not on the prototype)
for (const name of Object.getOwnPropertyNames(ProductWabaStore.prototype)) {
  const method = ProductWabaStore.prototype[name];
  if (name === "constructor" || typeof method !== "function") continue;
  Object.defineProperty(WabaStore.prototype, name, {
    value: function (...args) {
      const calls = this.benchState.stats.calls;
      calls[name] = (calls[name] ?? 0) + 1;
      // the grouped calls (the relay's, the Meta-events consumer's): how many items they carried, too
      if (Array.isArray(args[1]) && (name === "claimSends" || name === "completeSends" || name === "applyMetaChanges")) calls[`${name} items`] = (calls[`${name} items`] ?? 0) + args[1].length;
      return method.apply(this, args);
    },
    writable: true,
    configurable: true,
  });
}
