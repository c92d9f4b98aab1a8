import { describe, expect, it } from "vitest";
import { clientKey, ExpiringSet } from "../../src/auth/failure-throttle";

describe("clientKey: who is counted for failed authentications", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:0db8:0001:0002::/64"],
    ["2001:db8:1:2::99", "2001:0db8:0001:0002::/64"],
    ["2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002::/64"],
    ["2001:db8:1:3::1", "2001:0db8:0001:0003::/64"],
    ["::ffff:203.0.113.7", "0000:0000:0000:0000::/64"],
    ["not-an-address", "raw:not-an-address"],
    ["", null],
    [undefined, null],
    [null, null],
  ])("%s → %s", (ip, key) => {
    expect(clientKey(ip)).toBe(key);
  });
});

describe("ExpiringSet", () => {
  it("forgets a key when its time is up", () => {
    const s = new ExpiringSet(10);
    s.add("a", 1_000);
    expect(s.remaining("a", 400)).toBe(600);
    expect(s.remaining("a", 1_000)).toBe(0);
    expect(s.remaining("b", 0)).toBe(0);
  });

  it("stays within its size, dropping the least recently added key", () => {
    const s = new ExpiringSet(2);
    s.add("a", 100);
    s.add("b", 100);
    s.add("a", 100); // re-adding makes it the newest
    s.add("c", 100);
    expect([s.remaining("a", 0), s.remaining("b", 0), s.remaining("c", 0)]).toEqual([100, 0, 100]);
  });

  it("delete removes a key", () => {
    const s = new ExpiringSet(2);
    s.add("a", 100);
    s.delete("a");
    expect(s.remaining("a", 0)).toBe(0);
  });
});
