import { describe, expect, it } from "vitest";
import { readSource } from "./command.js";
import { ImportSourceError } from "./original-schema.js";
import { redactUrl } from "./postgres-source.js";

describe("migrate import --from an unsupported URL", () => {
  it.each([
    ["mysql://proxy:s3cret@db.internal/llmproxy", "s3cret"],
    // Unencoded '@' and '/' in the password, as people paste them.
    ["mysql://proxy:s3c@ret@db.internal/llmproxy", "ret"],
    ["mysql://proxy:s3c/ret@db.internal/llmproxy", "ret"],
  ])("is refused without its password in the message: %s", async (from, secretPart) => {
    const err = (await readSource(from).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/unsupported source/);
    expect(err.message).not.toContain(secretPart);
  });
});

describe("redactUrl", () => {
  it("hides the password in the authority and in the query", () => {
    expect(redactUrl("postgres://proxy:s3cret@db/llmproxy?sslmode=require&password=q")).toBe("postgres://proxy:***@db/llmproxy?sslmode=require&password=***");
    expect(redactUrl("postgres://proxy:pa/ss@db/llmproxy")).toBe("(an unreadable URL)");
  });
});

describe("migrate import --from a postgres:// URL it cannot parse", () => {
  it("is a source error naming the URL without its password", async () => {
    const err = (await readSource("postgres://proxy:pa/ss@db/llmproxy").catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ImportSourceError);
    expect(err.message).toBe("(an unreadable URL) cannot be read: Invalid URL");
  });
});
