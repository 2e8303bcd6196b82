import { describe, expect, it } from "vitest";
import { rfc3339, utcText } from "./time.js";

describe("server-side timestamp text", () => {
  const ts = "2025-01-02T15:04:05.678Z";
  it("renders every data-format in UTC", () => {
    expect(rfc3339(ts)).toBe("2025-01-02T15:04:05Z");
    expect(utcText(ts, "ymd_hm")).toBe("2025-01-02 15:04 UTC");
    expect(utcText(ts, "ymd_hms")).toBe("2025-01-02 15:04:05 UTC");
    expect(utcText(ts, "long")).toBe("Thursday, January 2, 2025 at 3:04 PM UTC");
    expect(utcText(ts, "date_only")).toBe("January 2, 2025");
  });
});
