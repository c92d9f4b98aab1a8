import { describe, expect, it } from "vitest";
import { foldCase } from "../../src/domain/fold";
import { e164OfWaId, toE164 } from "../../src/domain/phone";
import type { MessageStatus } from "../../src/data-plane/schema";
import { mayReplace } from "../../src/messages/lifecycle";
import { MESSAGE_TIME_FUTURE_MS, MESSAGE_TIME_PAST_MS, messageTime } from "../../src/meta-events/inbound";
import { verdictFor } from "../../src/meta/error-policy";
import type { GraphResult } from "../../src/meta/graph";
import { breaksTemplateTextRule } from "../../src/routes/messages/messages.schemas";
import { applyTemplateEvent, type TemplateState } from "../../src/templates/template-events";

// The pure rules behind Meta fidelity, table by table.

describe("retry verdicts come from Meta's error, then its HTTP status", () => {
  const graph = (status: number, code: number, extra: Record<string, unknown> = {}): Exclude<GraphResult<unknown>, { ok: true }> => ({
    ok: false, kind: "graph", status, error: { code, message: `(#${code})`, ...extra },
  });
  const cases: Array<[string, Exclude<GraphResult<unknown>, { ok: true }>, number, "retry" | "fail"]> = [
    ["3 (permission) with HTTP 500 is permanent", graph(500, 3), 1, "fail"],
    ["131045 (registration) with HTTP 500 is permanent", graph(500, 131045), 1, "fail"],
    ["133000 (incomplete deregistration) with HTTP 500 is permanent", graph(500, 133000), 1, "fail"],
    ["131000 with HTTP 500 is transient", graph(500, 131000), 5, "retry"],
    ["131016 with HTTP 500 is transient", graph(500, 131016), 5, "retry"],
    ["2 with HTTP 503 is transient", graph(503, 2), 5, "retry"],
    ["133004 with HTTP 503 is transient", graph(503, 133004), 5, "retry"],
    ["130429 with HTTP 400 is transient", graph(400, 130429), 5, "retry"],
    ["131056 (pair rate) is transient", graph(400, 131056), 2, "retry"],
    ["an unknown code with HTTP 500 is retried", graph(500, 999_999), 2, "retry"],
    ["an unknown code with HTTP 400 fails", graph(400, 999_999), 1, "fail"],
    ["200-299 (permissions) fail", graph(403, 230), 1, "fail"],
    ["1 is retried once", graph(400, 1), 1, "retry"],
    ["1 fails the second time", graph(400, 1), 2, "fail"],
    ["is_transient: false wins over a transient code", graph(400, 130429, { is_transient: false }), 1, "fail"],
    ["is_transient: true wins over a permanent code", graph(500, 3, { is_transient: true }), 1, "retry"],
    ["a timeout is retried", { ok: false, kind: "timeout", timeoutMs: 1500 }, 3, "retry"],
    ["a network error is retried", { ok: false, kind: "network", message: "reset" }, 3, "retry"],
  ];
  it.each(cases)("%s", (_name, result, attempt, verdict) => {
    expect(verdictFor(result, attempt)).toBe(verdict);
  });
});

describe("an inbound message's time is Meta's when plausible, else its arrival", () => {
  const at = Date.UTC(2026, 11, 2, 12, 0, 0);
  const secs = (ms: number) => String(Math.floor(ms / 1000));
  const cases: Array<[string, string, number]> = [
    ["now", secs(at), at],
    ["a minute ago", secs(at - 60_000), at - 60_000],
    ["six days ago (Meta retries for days)", secs(at - 6 * 86_400_000), at - 6 * 86_400_000],
    ["a minute ahead (clock skew)", secs(at + 60_000), at + 60_000],
    ["an hour ahead", secs(at + 3_600_000), at],
    ["beyond the retry horizon", secs(at - MESSAGE_TIME_PAST_MS - 1000), at],
    ["just inside the future bound", secs(at + MESSAGE_TIME_FUTURE_MS), at + MESSAGE_TIME_FUTURE_MS],
    ["absurd: 99999999999999", "99999999999999", at],
    ["beyond a safe integer", "9".repeat(40), at],
    ["zero", "0", at],
  ];
  it.each(cases)("%s", (_name, timestamp, expected) => {
    expect(messageTime(timestamp, at)).toBe(expected);
  });
});

describe("template events and sendability", () => {
  const approved: TemplateState = { status: "APPROVED", flagged: false, archivedFrom: null };
  const cases: Array<[string, TemplateState, string, TemplateState]> = [
    ["FLAGGED keeps an approved template approved, flagged", approved, "FLAGGED", { ...approved, flagged: true }],
    ["REINSTATED makes a flagged template unflagged", { ...approved, flagged: true }, "REINSTATED", approved],
    ["REINSTATED makes a disabled template approved", { status: "DISABLED", flagged: true, archivedFrom: null }, "REINSTATED", approved],
    ["PAUSED pauses", approved, "PAUSED", { ...approved, status: "PAUSED" }],
    ["paused (lower case, as Meta's pacing page writes it) pauses", approved, "paused", { ...approved, status: "PAUSED" }],
    ["APPROVED (an unpause) approves and clears the flag", { status: "PAUSED", flagged: true, archivedFrom: null }, "APPROVED", approved],
    ["REJECTED rejects", { ...approved, status: "PENDING" }, "REJECTED", { ...approved, status: "REJECTED" }],
    ["DISABLED disables", approved, "DISABLED", { ...approved, status: "DISABLED" }],
    ["ARCHIVED remembers the status it had", approved, "ARCHIVED", { status: "ARCHIVED", flagged: false, archivedFrom: "APPROVED" }],
    ["UNARCHIVED restores it", { status: "ARCHIVED", flagged: false, archivedFrom: "PAUSED" }, "UNARCHIVED", { status: "PAUSED", flagged: false, archivedFrom: null }],
    ["UNARCHIVED of a template archived before we saw it approves it", { status: "ARCHIVED", flagged: false, archivedFrom: null }, "UNARCHIVED", approved],
    ["LOCKED (cannot be edited) leaves it sendable", approved, "LOCKED", approved],
    ["LIMIT_EXCEEDED (the WABA's template cap) leaves it alone", approved, "LIMIT_EXCEEDED", approved],
    ["an event Meta adds later never makes an approved template unsendable", approved, "SOMETHING_NEW_IN_2027", approved],
  ];
  it.each(cases)("%s", (_name, before, event, after) => {
    expect(applyTemplateEvent(before, event)).toEqual(after);
  });
});

describe("the message lifecycle only moves forward", () => {
  const order: MessageStatus[] = ["queued", "sending", "held", "sent", "delivered", "read", "played"];
  it.each(order.flatMap((from) => order.filter((to) => to !== "queued").map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    const forward = order.indexOf(to) > order.indexOf(from) || (to === "sending" && from === "sending");
    expect(mayReplace(from, to as Exclude<MessageStatus, "queued">)).toBe(forward);
  });
  it.each(order.map((from) => [from] as const))("failed may replace %s only before read", (from) => {
    expect(mayReplace(from, "failed")).toBe(order.indexOf(from) < order.indexOf("read"));
  });
  it("nothing replaces failed", () => {
    for (const to of ["sending", "held", "sent", "delivered", "read", "played", "failed"] as const) expect(mayReplace("failed", to)).toBe(false);
  });
});

describe("phone numbers: either of Meta's spellings is the same customer", () => {
  const cases: Array<[string, string | null]> = [
    ["+919812345678", "+919812345678"],
    ["+91 98123 45678", "+919812345678"],
    ["+1-631-555-5555", "+16315555555"],
    ["+5215512343852", "+525512343852"], // Mexico: Meta's 521… wa_id
    ["+525512343852", "+525512343852"],
    ["+551187654321", "+5511987654321"], // Brazil: a legacy 8-digit mobile wa_id
    ["+5511987654321", "+5511987654321"],
    ["+551134567890", "+551134567890"], // a Brazilian landline stays as it is
    ["9812345678", null],
    ["+5215512", null],
  ];
  it.each(cases)("%s → %s", (input, expected) => {
    expect(toE164(input)).toBe(expected);
  });
  it.each([["5215512343852", "+525512343852"], ["551187654321", "+5511987654321"], ["16315555555", "+16315555555"], ["999", "+999"]])("wa_id %s → %s", (waId, e164) => {
    expect(e164OfWaId(waId)).toBe(e164);
  });
});

describe("search folds case in every script", () => {
  const cases: Array<[string, string]> = [
    ["ZOË MÜLLER", "Zoë Müller"],
    ["STRASSE", "Straße"],
    ["zoe\u0308", "Zoë"], // decomposed input finds the composed name
    ["ΟΔΥΣ", "Οδυσσέας"], // a final sigma in the term is a medial one in the name
    ["İSTANBUL", "istanbul"],
    ["ǈUBLJANA", "ǉubljana"],
    ["АННА", "Анна"],
  ];
  it.each(cases)("%s finds %s", (term, name) => {
    expect(foldCase(name).includes(foldCase(term))).toBe(true);
  });
});

describe("Meta's rule for template text variables (132018)", () => {
  it.each([
    ["Aarav", false],
    ["two  spaces", false],
    ["four    spaces", false],
    ["five     spaces", true],
    ["a\nnewline", true],
    ["a\r\nwindows newline", true],
    ["a\ttab", true],
  ] as const)("%j breaks it: %s", (text, breaks) => {
    expect(breaksTemplateTextRule(text)).toBe(breaks);
  });
});
