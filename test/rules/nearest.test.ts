import { describe, expect, it } from "vitest";
import { editDistance, nearestNames } from "../../src/domain/nearest";

const TEMPLATES = ["order_shipped_v2", "order_delivered", "appointment_reminder", "login_code", "hello_world", "promo_diwali"];

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "abc", 0],
    ["abc", "ABC", 0],
    ["order_shiped", "order_shipped", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("%s → %s: %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe("nearestNames", () => {
  it.each([
    ["a typo", "order_shiped_v2", ["order_shipped_v2"]],
    ["a missing suffix", "order_shipped", ["order_shipped_v2"]],
    ["case", "Hello_World", ["hello_world"]],
    ["transposed letters", "logni_code", ["login_code"]],
    ["nothing close", "zzzzzzzz", []],
    ["short names need a close match", "abc", []],
  ])("%s: %s → %j", (_what, name, expected) => {
    expect(nearestNames(name, TEMPLATES)).toEqual(expected);
  });

  it("closest first, at most `max`, never the name itself", () => {
    expect(nearestNames("order_v1", ["order_v2", "order_v3", "order_v1", "order_v22", "orders_v1"], 2)).toEqual(["order_v2", "order_v3"]);
  });
});
