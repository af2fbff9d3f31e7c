import { describe, expect, it } from "vitest";
import { formatDays, formatMicros, parseDays, parseTimestampMs } from "../../../src/storage/duckdb/values.js";

const MS_PER_DAY = 86_400_000;

describe("value formatting", () => {
  it("formats epoch days like Date#toISOString for years 0000–9999", () => {
    const first = Date.parse("0000-01-01T00:00:00Z") / MS_PER_DAY;
    const last = Date.parse("9999-12-31T00:00:00Z") / MS_PER_DAY;
    for (let days = first; days <= last; days += 997) {
      expect(formatDays(days)).toBe(new Date(days * MS_PER_DAY).toISOString().slice(0, 10));
    }
    for (const days of [-1, 0, 1, 11_016, 19_782, 19_783]) {
      expect(formatDays(days)).toBe(new Date(days * MS_PER_DAY).toISOString().slice(0, 10));
    }
    expect(formatDays(Number.POSITIVE_INFINITY)).toBe("infinity");
  });

  it("formats epoch microseconds as whole-second ISO timestamps with Z", () => {
    expect(formatMicros(0n)).toBe("1970-01-01T00:00:00Z");
    expect(formatMicros(1_704_449_472_123_456n)).toBe("2024-01-05T10:11:12Z");
    expect(formatMicros(-1n)).toBe("1969-12-31T23:59:59Z");
    expect(formatMicros(-1_000_000n)).toBe("1969-12-31T23:59:59Z");
    expect(formatMicros(-1_000_001n)).toBe("1969-12-31T23:59:58Z");
    for (let s = -2_000_000_000; s < 4_000_000_000; s += 7_777_777) {
      expect(formatMicros(BigInt(s) * 1_000_000n + 999_999n)).toBe(
        `${new Date(s * 1000).toISOString().slice(0, 19)}Z`,
      );
    }
  });

  it("parses only real calendar dates and ISO timestamps", () => {
    expect(parseDays("2024-02-29")).toBe(19_782);
    expect(parseDays("2023-02-29")).toBeNaN();
    expect(parseDays("2024-2-1")).toBeNaN();
    expect(parseDays("0099-01-01")).toBeNaN();
    expect(parseTimestampMs("2024-01-05T10:11:12Z")).toBe(Date.UTC(2024, 0, 5, 10, 11, 12));
    expect(parseTimestampMs("2024-01-05 10:11:12")).toBe(Date.UTC(2024, 0, 5, 10, 11, 12));
    expect(parseTimestampMs("2024-01-05T10:11:12.5+02:00")).toBe(Date.UTC(2024, 0, 5, 8, 11, 12, 500));
    expect(parseTimestampMs("2024-01-05")).toBe(Date.UTC(2024, 0, 5));
    expect(parseTimestampMs("2024-01-05T25:00:00Z")).toBeNaN();
    expect(parseTimestampMs("yesterday")).toBeNaN();
  });
});
