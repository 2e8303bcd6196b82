import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// scripts/patch-postgres.mjs: without the guard, a write after a killed connection ends the
// process (porsager/postgres#1208); faults/postgres.test.ts kills connections under load.
describe("the installed postgres driver", () => {
  it("carries the nextWrite guard in both module flavours the proxy may load", () => {
    const dir = path.resolve(import.meta.dirname, "../../../node_modules/postgres");
    for (const flavour of ["src", "cjs/src"]) {
      const text = readFileSync(path.join(dir, flavour, "connection.js"), "utf8");
      expect(text, flavour).toMatch(/function nextWrite\(fn\) \{\n\s+if \(!socket\) \{/);
    }
  });
});
