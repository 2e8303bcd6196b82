import { describe, expect, it } from "vitest";
import { ConfigError } from "@llm-proxy/config";
import { defaultProviders, parseProviders } from "./providers.js";
import { providersYaml } from "./stages/testing.js";

const defaults = { headersTimeoutMs: 30_000, streamIdleTimeoutMs: 300_000 };
const file = providersYaml;

describe("forward_headers", () => {
  it("takes billing header names in any case", () => {
    const [p] = parseProviders(file("    forward_headers: [OpenAI-Organization, openai-project]"), "p.yaml", defaults);
    expect([...(p?.forwardHeaders ?? [])]).toEqual(["openai-organization", "openai-project"]);
  });

  it("forwards none by default, in a file and in the built-in profile", () => {
    expect(parseProviders(file(""), "p.yaml", defaults)[0]?.forwardHeaders.size).toBe(0);
    expect(defaultProviders("https://api.openai.com", defaults)[0]?.forwardHeaders.size).toBe(0);
  });

  it.each([
    ["a header that is not a billing header", "[authorization]", /apis\.openai\.forward_headers\.0: expected OpenAI-Organization or OpenAI-Project/],
    ["a string instead of a list", "OpenAI-Organization", /apis\.openai\.forward_headers: /],
    ["a number in the list", "[1]", /apis\.openai\.forward_headers\.0: /],
  ])("refuses %s, naming the field", (_, value, message) => {
    const parse = () => parseProviders(file(`    forward_headers: ${value}`), "p.yaml", defaults);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });
});
