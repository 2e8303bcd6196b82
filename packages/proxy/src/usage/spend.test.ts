import { describe, expect, it } from "vitest";
import { monthStart, nextMonthStart, SpendLedger } from "./spend.js";

describe("the spend ledger", () => {
  it("adds this instance's unflushed spend to a stored seed, then every finished request", () => {
    const unflushed = { token: (id: string) => (id === "t" ? 30 : 0), project: () => 70 };
    const ledger = new SpendLedger(unflushed, () => Date.UTC(2026, 4, 10));
    ledger.seedToken("t", 100);
    ledger.seedProject("p", Date.UTC(2026, 4, 1), 1000);
    ledger.add("t", "p", 5, Date.UTC(2026, 4, 10));
    expect(ledger.tokenSpent("t")).toBe(135);
    expect(ledger.projectSpent("p")).toBe(1075);
    // Reseeded after a flush: the database has it all now, nothing is unflushed.
    unflushed.token = () => 0;
    ledger.seedToken("t", 135);
    expect(ledger.tokenSpent("t")).toBe(135);
  });

  it("keeps nothing for tokens and projects without a budget (never seeded)", () => {
    const ledger = new SpendLedger({ token: () => 0, project: () => 0 });
    ledger.add("t", "p", 5, Date.now());
    expect(ledger.tokenSpent("t")).toBe(0);
    expect(ledger.projectSpent("p")).toBe(0);
  });

  it("starts a project's month at zero when the UTC month turns, and keeps late costs in their own month", () => {
    let now = Date.UTC(2026, 11, 31, 23, 59, 59);
    const ledger = new SpendLedger({ token: () => 0, project: () => 0 }, () => now);
    ledger.seedProject("p", monthStart(now), 500);
    expect(ledger.projectSpent("p")).toBe(500);
    const january = Date.UTC(2027, 0, 1);
    expect(nextMonthStart(now)).toBe(january);
    ledger.add("t", "p", 9, january + 1000); // a January request finished first
    ledger.add("t", "p", 4, now); // then a December one: not January's
    now = january + 2000;
    expect(ledger.projectSpent("p")).toBe(9);
  });
});
