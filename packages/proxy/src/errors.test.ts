import { describe, expect, it } from "vitest";
import { isDatabaseOutage, nulPath, validate } from "./errors.js";
import { z } from "zod";

describe("nulPath", () => {
  it("names the first string or field name holding NUL, anywhere inside", () => {
    expect(nulPath({ name: "ok", list: ["a", { deep: "x\u0000" }] })).toBe("'list.1.deep'");
    expect(nulPath({ ["a\u0000"]: 1 })).toBe("a field name");
    expect(nulPath("a\u0000", "id")).toBe("'id'");
    expect(nulPath("a\u0000")).toBe("the input");
    expect(nulPath({ name: "ok", n: 1, b: true, z: null })).toBeUndefined();
  });

  it("walks nesting of any depth without recursion", () => {
    let deep: unknown = "x\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nulPath({ v: deep })).toMatch(/^'v\.0\.0/);
  });

  it("makes validate refuse NUL before the schema sees it, and drop unknown fields whatever they hold", () => {
    expect(() => validate(z.object({ name: z.string().regex(/^a$/) }), { name: "a\u0000" })).toThrow("'name' must not contain NUL characters");
    const meta = z.object({ meta: z.record(z.string(), z.string()) });
    expect(() => validate(meta, { meta: { ["x\u0000"]: "a" } })).toThrow("a field name must not contain NUL characters");
    expect(validate(z.object({ name: z.string() }), { name: "a", ["x\u0000"]: "b\u0000", extra: { deep: 1 } })).toEqual({ name: "a" });
    expect(() => validate(z.strictObject({ name: z.string() }), { name: "a", admin: true })).toThrow("unknown field 'admin'");
    expect(() => validate(z.strictObject({ name: z.string() }), { ["x\u0000"]: "a" })).toThrow("a field name must not contain NUL characters");
    expect(() => validate(z.object({ name: z.string() }), { name: 42, admin: true })).toThrow("invalid value for 'name'");
  });
});

describe("isDatabaseOutage", () => {
  it("tells a lost or refused connection from a rejected query", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "57P01", "08006"]) expect(isDatabaseOutage({ code })).toBe(true);
    for (const code of ["23505", "22021", "42P01", undefined]) expect(isDatabaseOutage({ code })).toBe(false);
    expect(isDatabaseOutage(new Error("x"))).toBe(false);
    expect(isDatabaseOutage(undefined)).toBe(false);
  });
});
