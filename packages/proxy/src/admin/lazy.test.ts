import { describe, expect, it } from "vitest";
import { lazyFetch } from "./lazy.js";

describe("lazyFetch", () => {
  it("builds the app on the first request only, and again after a failed build", async () => {
    let builds = 0;
    const fetch = lazyFetch(async () => {
      builds++;
      if (builds === 1) throw new Error("first build fails");
      return { fetch: (req: Request) => new Response(new URL(req.url).pathname) };
    });
    expect(builds).toBe(0);
    await expect(fetch(new Request("http://admin/a"))).rejects.toThrow("first build fails");
    const [a, b] = await Promise.all([fetch(new Request("http://admin/b")), fetch(new Request("http://admin/c"))]);
    expect([await a.text(), await b.text()]).toEqual(["/b", "/c"]);
    await fetch(new Request("http://admin/d"));
    expect(builds).toBe(2);
  });
});
