import { describe, expect, it } from "vitest";
import { helpText, parseCommandArgs, type Command } from "./command.js";
import { UsageError } from "./errors.js";

const cmd: Command = {
  name: "thing:do",
  summary: "Does a thing.",
  args: "<id>",
  options: { count: { type: "string", short: "n", help: "how many" }, tag: { type: "string", multiple: true, help: "tags" }, on: { type: "string", help: "bool" } },
  run: async () => undefined,
};

describe("argument parsing", () => {
  it("parses flags, repeated flags and positionals", () => {
    const { args, help } = parseCommandArgs(cmd, ["abc", "-n", "3", "--tag", "a", "--tag", "b", "--on", "true"]);
    expect(help).toBe(false);
    expect(args.positional(0, "<id>")).toBe("abc");
    expect(args.int("count", { min: 1 })).toBe(3);
    expect(args.list("tag")).toEqual(["a", "b"]);
    expect(args.bool("on")).toBe(true);
  });

  it("turns every mistake into a UsageError (exit 2)", () => {
    expect(() => parseCommandArgs(cmd, ["--nope"])).toThrow(UsageError);
    const { args } = parseCommandArgs(cmd, ["-n", "0", "--on", "maybe", "x", "y"]);
    expect(() => args.int("count", { min: 1, max: 5 })).toThrow('--count: expected a whole number from 1 to 5, got "0"');
    expect(() => args.bool("on")).toThrow('--on: expected true or false, got "maybe"');
    expect(() => args.positional(2, "<z>")).toThrow("missing <z>");
    expect(() => args.noMorePositionals(1)).toThrow('unexpected argument "y"');
    expect(() => args.required("count2")).toThrow("--count2 is required");
  });

  it("help lists every option", () => {
    expect(helpText(cmd)).toMatch(/^usage: llm-proxy thing do <id> \[options\]\n\nDoes a thing\.\n\noptions:\n {2}-n, --count <value>\s+how many\n/);
    expect(helpText(cmd)).toContain("-h, --help");
  });
});
