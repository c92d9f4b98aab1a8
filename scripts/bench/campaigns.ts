// Campaigns and pacing: a 10,000-recipient campaign on one number and another on a second number of the
// same WABA at the same time, against the emulator with Meta's per-number limit (80/s) and pair rate
// on. Meta must refuse nothing for pace (no 130429, no 131056), every recipient must end sent, each
// campaign must keep its own number's pace, a conversational send made meanwhile must not wait behind
// the campaign, and the campaign's counts must equal its message rows.
import { SCOPES } from "../../src/auth/scopes";
import { PHONE_HEADROOM } from "../../src/relay/pacing";
import { admin, mark, table, type BenchContext, type Figure, type SectionResult } from "./context";
import { describeCpu, measureCpu, type CpuShare } from "./cpu";
import { bearer, expectStatus, fmtMs, jsonBody, median, percentile, postJson, sleep, timedFetch } from "./http";

const META_MPS = 80;
const TEMPLATE = { template: "order_shipped_v2", language: "en_US" };
const VARIABLES = ["Aarav", "4827", "tomorrow"];
/** The pace the relay keeps a default number at. */
const PACE = META_MPS * PHONE_HEADROOM;

type Stats = { accepted: number; refused: { 130429: number; 131056: number }; duplicates: number };
type CampaignOutcome = { id: string; phone: string; recipients: number; seconds: number; counts: Record<string, number>; rows: Record<string, number>; stats: Stats };

export type CampaignRun = {
  recipients: number;
  campaigns: CampaignOutcome[];
  singles: { idle: number[]; busy: number[] };
  cpu: CpuShare;
};

/** One WABA with two numbers, known to the emulator with Meta's limits on, and a key. */
async function provision(ctx: BenchContext) {
  const metaWabaId = "102290129399001";
  const phones = ["106540352299001", "106540352299002"];
  const token = "EAAGbenchCampaignsLocalOnlyAccessToken0000000000000000001";
  const workspace = await admin(ctx, "POST", "/admin/workspaces", { name: "Bench campaigns", plan: "scale" });
  const waba = await admin(ctx, "POST", "/admin/wabas", { workspaceId: workspace.id, metaWabaId, name: "Bench campaigns", accessToken: token });
  for (const [i, p] of phones.entries()) await admin(ctx, "POST", `/admin/wabas/${waba.id}/phone-numbers`, { metaPhoneNumberId: p, displayPhoneNumber: `+1 555 02${i}0`, isDefault: i === 0 });
  expectStatus(
    await postJson(`${ctx.emulator}/__emulator/wabas`, {
      metaWabaId, name: "Bench campaigns", accessToken: token,
      phoneNumbers: phones.map((p, i) => ({ metaPhoneNumberId: p, displayPhoneNumber: `+1 555 02${i}0` })),
      templates: [{ name: "order_shipped_v2", language: "en_US", category: "UTILITY", components: [{ type: "BODY", text: "Hi {{1}}! Order #{{2}} ships {{3}}." }] }],
    }),
    "emulator WABA", 200, 201,
  );
  // Meta's default throughput per number and its pair rate, as a real number has them
  expectStatus(await postJson(`${ctx.emulator}/__emulator/settings`, { wabaId: metaWabaId, mpsLimit: META_MPS, pairRateLimit: true, statusDelaysMs: "none" }), "emulator settings", 200);
  await admin(ctx, "POST", `/admin/wabas/${waba.id}/templates/sync`);
  const key = (await admin(ctx, "POST", "/admin/keys", { wabaId: waba.id, name: "bench: campaigns", scopes: [...SCOPES], mode: "live", planOverride: "scale" })).secret as string;
  await timedFetch(`${ctx.api}/v1/key`, { headers: bearer(key) });
  return { wabaId: waba.id as string, phones, key };
}

const recipient = (phoneIndex: number, i: number) => `+91987${phoneIndex}${String(i).padStart(6, "0")}`;

/** A synchronous template send to a new customer: the route's time (it waits for Meta's answer). */
async function single(ctx: BenchContext, key: string, phone: string, n: number): Promise<number> {
  const r = await timedFetch(`${ctx.api}/v1/messages/template`, jsonBody(key, { to: `+9197650${String(n).padStart(5, "0")}`, ...TEMPLATE, variables: VARIABLES, phoneNumberId: phone }));
  expectStatus(r, "single send", 200);
  return r.ms;
}

export async function measureCampaigns(ctx: BenchContext, opts: { recipients: number; singles: number }): Promise<CampaignRun> {
  const t = await provision(ctx);
  const N = opts.recipients;
  // conversational sends on an idle number first: the baseline
  const idle: number[] = [];
  for (let i = 0; i < opts.singles; i++) idle.push(await single(ctx, t.key, t.phones[0]!, i));

  const { result, cpu } = await measureCpu(ctx.cpu, async () => {
    ctx.log(`[${ctx.stack}] campaigns: ${N} recipients on each of two numbers of one WABA, Meta at ${META_MPS}/s with pair rate on`);
    const created = await Promise.all(
      t.phones.map(async (phone, p) => {
        const recipients = Array.from({ length: N }, (_, i) => ({ to: recipient(p + 1, i), variables: VARIABLES }));
        const r = expectStatus(await timedFetch(`${ctx.api}/v1/campaigns`, jsonBody(t.key, { name: `bench ${p + 1}`, ...TEMPLATE, phoneNumberId: phone, recipients })), "create campaign", 201);
        return { id: r.json.id as string, phone };
      }),
    );
    // conversational sends on the first number while its campaign runs
    await sleep(3000);
    const busy: number[] = [];
    for (let i = 0; i < opts.singles; i++) {
      busy.push(await single(ctx, t.key, t.phones[0]!, 1000 + i));
      await sleep(500);
    }
    const done = await Promise.all(
      created.map(async (c) => {
        for (;;) {
          const view = expectStatus(await timedFetch(`${ctx.api}/v1/campaigns/${c.id}`, { headers: bearer(t.key) }), "campaign", 200).json;
          if (view.state === "completed") return view;
          await sleep(1000);
        }
      }),
    );
    return { created, busy, done };
  });

  const campaigns: CampaignOutcome[] = [];
  for (const [i, view] of result.done.entries()) {
    const phone = result.created[i]!.phone;
    const stats = expectStatus(await timedFetch(`${ctx.emulator}/__emulator/stats?phoneNumberId=${phone}`), "emulator stats", 200).json as Stats;
    // the message rows, through the recipients list (every recipient, with its message's status)
    const rows: Record<string, number> = {};
    for (let cursor: string | null = null; ; ) {
      const page: { data: Array<{ status: string }>; nextCursor: string | null } = expectStatus(
        await timedFetch(`${ctx.api}/v1/campaigns/${view.id}/recipients?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, { headers: bearer(t.key) }),
        "recipients", 200,
      ).json;
      for (const r of page.data) rows[r.status] = (rows[r.status] ?? 0) + 1;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    campaigns.push({ id: view.id, phone, recipients: view.recipients, seconds: (Date.parse(view.finishedAt) - Date.parse(view.startedAt)) / 1000, counts: view.counts, rows, stats });
  }
  return { recipients: N, campaigns, singles: { idle, busy: result.busy }, cpu };
}

/** The target: at the number's pace, within 1.15× of recipients / Meta's rate. */
export const DURATION_TOLERANCE = 1.15;

export function campaignSection(run: CampaignRun, stack: string): SectionResult {
  const ideal = run.recipients / META_MPS;
  const slot = 1000 / PACE;
  const figures: Figure[] = [];
  for (const [i, c] of run.campaigns.entries()) {
    const who = `campaign ${i + 1} (number ${i + 1})`;
    figures.push(
      { name: `Campaigns: ${who}, Meta's refusals for pace (130429, 131056)`, value: `${c.stats.refused[130429]}, ${c.stats.refused[131056]}`, target: "0 and 0", pass: c.stats.refused[130429] === 0 && c.stats.refused[131056] === 0 },
      { name: `Campaigns: ${who}, recipients sent`, value: `${c.counts.sent} of ${c.recipients}`, target: "every one", pass: c.counts.sent === c.recipients },
      { name: `Campaigns: ${who}, duration`, value: `${c.seconds.toFixed(1)} s (${(c.seconds / ideal).toFixed(2)}× ${run.recipients.toLocaleString("en")} / ${META_MPS} s)`, target: `≤ ${DURATION_TOLERANCE}× ${ideal.toFixed(0)} s, while the other number runs its own`, pass: c.seconds <= DURATION_TOLERANCE * ideal },
      {
        name: `Campaigns: ${who}, counts equal the rows; sent to Meta once each`,
        value: `counts ${JSON.stringify(c.counts)}; rows ${JSON.stringify(c.rows)}; Meta accepted ${c.stats.accepted}, twice for one message ${c.stats.duplicates}`,
        target: "equal; 0 duplicates",
        pass: Object.entries(c.rows).every(([k, v]) => c.counts[k] === v) && c.stats.duplicates === 0,
      },
    );
  }
  const idle = median(run.singles.idle);
  const busy = median(run.singles.busy);
  figures.push({
    name: "Campaigns: a conversational send on the busy number vs an idle one (sync send, median)",
    value: `${fmtMs(busy)} ms vs ${fmtMs(idle)} ms (+${fmtMs(busy - idle)} ms; a pacing slot is ${fmtMs(slot)} ms)`,
    target: `at most one slot more (+${fmtMs(slot)} ms), within 5 ms of noise`,
    pass: busy - idle <= slot + 5,
  });
  const markdown = [
    table(
      ["campaign", "number", "recipients", "duration", "vs recipients / 80 s", "sent", "130429", "131056", "duplicates"],
      run.campaigns.map((c, i) => [i + 1, c.phone, c.recipients, `${c.seconds.toFixed(1)} s`, `${(c.seconds / ideal).toFixed(2)}×`, c.counts.sent ?? 0, c.stats.refused[130429], c.stats.refused[131056], c.stats.duplicates]),
      ["r", "l", "r", "r", "r", "r", "r", "r", "r"],
    ),
    "",
    table(["conversational sends on number 1", "n", "p50 ms", "p95 ms"], [
      ["idle number (before the campaigns)", run.singles.idle.length, fmtMs(idle), fmtMs(percentile(run.singles.idle, 95))],
      ["while its campaign runs", run.singles.busy.length, fmtMs(busy), fmtMs(percentile(run.singles.busy, 95))],
    ], ["l", "r", "r", "r"]),
    "",
    `CPU over the run: ${describeCpu(run.cpu)}.`,
    "",
    `**How.** On the ${stack} stack. One bench WABA with two phone numbers, provisioned through the admin API; the stack's emulator knows it with **Meta's default throughput, ${META_MPS} messages/s per number (\`mpsLimit\`), and the pair rate on (\`pairRateLimit\`: one message per 6 s to a customer)**, status webhooks off. Two campaigns of ${run.recipients.toLocaleString("en")} recipients each (one \`POST /v1/campaigns\` each, ${run.recipients.toLocaleString("en")} distinct numbers, template \`order_shipped_v2\`), one per number, created at the same moment; the WABA object's alarm releases each every 100 ms, about 0.6 s of its pace ahead, onto the bulk queue, and the relay paces each number at ${PACE}/s (95 % of ${META_MPS}). Duration = the campaign's \`finishedAt − startedAt\`. Meta's refusals and duplicate sends are the emulator's own count per number (\`GET /__emulator/stats\`: a second acceptance of the same \`biz_opaque_callback_data\`, our message id, is a duplicate). The rows are every recipient read back through \`GET /v1/campaigns/{id}/recipients\`, each with its message's status. Conversational sends: ${run.singles.idle.length} synchronous template sends to new customers on number 1 before the campaigns, then ${run.singles.busy.length} while its campaign runs (one every 0.5 s after the first 3 s); the route's time includes Meta's answer. A consumer crash mid-campaign is covered by the fault suite (test/robustness/faults.test.ts: duplicate deliveries racing the queue's own reach Meta once per message), not timed here.`,
  ].join("\n");
  return { id: "campaigns", title: "Campaigns and pacing: two 10,000-recipient campaigns at Meta's limits", figures, markdown };
}
