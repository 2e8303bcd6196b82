import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateTokenSecret, isWellFormedToken } from "./format.js";

describe("isWellFormedToken", () => {
  it("accepts what the proxy generates and the original's UUID-based form", () => {
    for (let i = 0; i < 200; i++) expect(isWellFormedToken(generateTokenSecret())).toBe(true);
    const uuid = Buffer.from(randomUUID().replaceAll("-", ""), "hex");
    expect(isWellFormedToken("sk-" + uuid.toString("base64url"))).toBe(true);
  });

  it("refuses other prefixes, lengths and alphabets", () => {
    const good = generateTokenSecret();
    for (const bad of ["", "sk-", good.slice(0, 24), good + "A", "pk-" + good.slice(3), "SK-" + good.slice(3), good.slice(0, 24) + "=", good.slice(0, 24) + "+", good.slice(0, 24) + "/", good.slice(0, 24) + "\n", " " + good.slice(1)]) {
      expect(isWellFormedToken(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
