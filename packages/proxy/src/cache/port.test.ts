import { describe, expect, it } from "vitest";
import { matchesPurge } from "./port.js";

describe("matchesPurge", () => {
  const entry = { projectId: "proj_a", method: "GET", url: "/v1/models?x=1" };

  it("matches nothing without a criterion, everything with all", () => {
    expect(matchesPurge(entry, {})).toBe(false);
    expect(matchesPurge(entry, { method: "GET" })).toBe(false);
    expect(matchesPurge(entry, { all: true, projectId: "other" })).toBe(true);
  });

  it("requires every given criterion", () => {
    expect(matchesPurge(entry, { url: "/v1/models?x=1" })).toBe(true);
    expect(matchesPurge(entry, { url: "/v1/models" })).toBe(false);
    expect(matchesPurge(entry, { url: "/v1/models?x=1", method: "post" })).toBe(false);
    expect(matchesPurge(entry, { url: "/v1/models?x=1", method: "head" })).toBe(true);
    expect(matchesPurge(entry, { prefix: "/v1/mod" })).toBe(true);
    expect(matchesPurge(entry, { prefix: "/v1/mod", projectId: "proj_b" })).toBe(false);
    expect(matchesPurge(entry, { projectId: "proj_a" })).toBe(true);
  });
});
