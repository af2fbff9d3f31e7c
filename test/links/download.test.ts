import { describe, expect, it } from "vitest";
import {
  contentDisposition,
  contentTypeFor,
  downloadFileName,
  parseRange,
  planDownload,
} from "../../src/links/download.js";

const base = {
  method: "GET" as const,
  size: 1000,
  fileName: "Daily revenue_2024-06-01T00-00-00Z.csv.gz",
  contentType: "application/gzip",
};

describe("planDownload", () => {
  it("answers a plain GET with the whole file and every header", () => {
    expect(planDownload(base)).toEqual({
      status: 200,
      headers: {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Type": "application/gzip",
        "Content-Length": "1000",
        "Content-Disposition": 'attachment; filename="Daily revenue_2024-06-01T00-00-00Z.csv.gz"',
      },
    });
  });

  it("answers a ranged GET with 206, Content-Range and the range's length", () => {
    const plan = planDownload({ ...base, rangeHeader: "bytes=100-199" });
    expect(plan.status).toBe(206);
    expect(plan.range).toEqual({ start: 100, end: 199 });
    expect(plan.headers).toMatchObject({
      "Accept-Ranges": "bytes",
      "Content-Range": "bytes 100-199/1000",
      "Content-Length": "100",
      "Content-Type": "application/gzip",
      "Cache-Control": "private, no-store",
    });
    expect(plan.headers["Content-Disposition"]).toMatch(/^attachment; filename=/);
  });

  // [Range header, size, status, range or undefined]
  const table: [string, number, 200 | 206 | 416, { start: number; end: number } | undefined][] = [
    ["bytes=0-0", 1000, 206, { start: 0, end: 0 }],
    ["bytes=0-999", 1000, 206, { start: 0, end: 999 }],
    ["bytes=0-", 1000, 206, { start: 0, end: 999 }],
    ["bytes=500-", 1000, 206, { start: 500, end: 999 }],
    ["bytes=999-", 1000, 206, { start: 999, end: 999 }],
    ["bytes=990-5000", 1000, 206, { start: 990, end: 999 }],
    ["bytes=0-99999999999999999999", 1000, 206, { start: 0, end: 999 }],
    ["bytes=-1", 1000, 206, { start: 999, end: 999 }],
    ["bytes=-100", 1000, 206, { start: 900, end: 999 }],
    ["bytes=-1000", 1000, 206, { start: 0, end: 999 }],
    ["bytes=-5000", 1000, 206, { start: 0, end: 999 }],
    ["bytes=007-010", 1000, 206, { start: 7, end: 10 }],
    ["BYTES=1-2", 1000, 206, { start: 1, end: 2 }],
    ["  bytes=1-2  ", 1000, 206, { start: 1, end: 2 }],
    ["bytes= 1-2 ,", 1000, 206, { start: 1, end: 2 }],
    ["bytes=1000-", 1000, 416, undefined],
    ["bytes=1000-2000", 1000, 416, undefined],
    ["bytes=99999999999999999999-", 1000, 416, undefined],
    ["bytes=-0", 1000, 416, undefined],
    ["bytes=0-", 0, 416, undefined],
    ["bytes=-5", 0, 416, undefined],
    ["bytes=0-0", 1, 206, { start: 0, end: 0 }],
    // Ignored: whole file.
    ["bytes=0-1,5-6", 1000, 200, undefined],
    ["bytes=0-1, 2000-3000", 1000, 200, undefined],
    ["bytes=5-1", 1000, 200, undefined],
    ["bytes=-", 1000, 200, undefined],
    ["bytes=", 1000, 200, undefined],
    ["bytes=a-b", 1000, 200, undefined],
    ["bytes=1.5-2", 1000, 200, undefined],
    ["bytes=-1-2", 1000, 200, undefined],
    ["bytes=+1-2", 1000, 200, undefined],
    ["bytes 0-1", 1000, 200, undefined],
    ["items=0-1", 1000, 200, undefined],
    ["", 1000, 200, undefined],
    ["garbage\u0000\u00ff", 1000, 200, undefined],
  ];

  it.each(table)("Range %j of %i bytes gives %i", (header, size, status, range) => {
    const plan = planDownload({ ...base, size, rangeHeader: header });
    expect(plan.status).toBe(status);
    expect(plan.range).toEqual(range);
    if (status === 206) {
      expect(plan.headers["Content-Range"]).toBe(`bytes ${range!.start}-${range!.end}/${size}`);
      expect(plan.headers["Content-Length"]).toBe(String(range!.end - range!.start + 1));
    } else if (status === 416) {
      expect(plan.headers["Content-Range"]).toBe(`bytes */${size}`);
      expect(plan.headers["Content-Length"]).toBe("0");
      expect(plan.headers["Content-Disposition"]).toBeUndefined();
    } else {
      expect(plan.headers["Content-Range"]).toBeUndefined();
      expect(plan.headers["Content-Length"]).toBe(String(size));
    }
    expect(plan.headers["Accept-Ranges"]).toBe("bytes");
  });

  it("answers HEAD with the headers of a whole GET, ignoring Range", () => {
    expect(planDownload({ ...base, method: "HEAD" })).toEqual(planDownload(base));
    expect(planDownload({ ...base, method: "HEAD", rangeHeader: "bytes=0-9" })).toEqual(planDownload(base));
    expect(planDownload({ ...base, method: "HEAD", rangeHeader: "bytes=5000-" }).status).toBe(200);
  });

  it("serves an empty file whole", () => {
    const plan = planDownload({ ...base, size: 0 });
    expect(plan.status).toBe(200);
    expect(plan.headers["Content-Length"]).toBe("0");
  });
});

describe("parseRange", () => {
  it("returns the range, 'ignore' or 'unsatisfiable'", () => {
    expect(parseRange("bytes=1-2", 10)).toEqual({ start: 1, end: 2 });
    expect(parseRange("bytes=1-2,3-4", 10)).toBe("ignore");
    expect(parseRange("bytes=10-", 10)).toBe("unsatisfiable");
  });
});

describe("Content-Disposition", () => {
  it.each([
    ["report.csv", 'attachment; filename="report.csv"'],
    ["Daily revenue_2024.csv", 'attachment; filename="Daily revenue_2024.csv"'],
    [
      "Café ünïcode.csv",
      "attachment; filename=\"Cafe unicode.csv\"; filename*=UTF-8''Caf%C3%A9%20%C3%BCn%C3%AFcode.csv",
    ],
    ["日本語.csv", "attachment; filename=\"___.csv\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.csv"],
    ['say "hi".csv', "attachment; filename=\"say _hi_.csv\"; filename*=UTF-8''say%20%22hi%22.csv"],
    ["back\\slash.csv", "attachment; filename=\"back_slash.csv\"; filename*=UTF-8''back%5Cslash.csv"],
    ["100%.csv", "attachment; filename=\"100_.csv\"; filename*=UTF-8''100%25.csv"],
    ["it's (mine)*.csv", 'attachment; filename="it\'s (mine)*.csv"'],
    ["emoji 😀.csv", "attachment; filename=\"emoji _.csv\"; filename*=UTF-8''emoji%20%F0%9F%98%80.csv"],
    ["line\r\nbreak.csv", "attachment; filename=\"line__break.csv\"; filename*=UTF-8''line%0D%0Abreak.csv"],
  ])("for %j is %s", (name, expected) => {
    expect(contentDisposition(name)).toBe(expected);
  });

  it("encodes RFC 8187 attr-char exactly, even for lone surrogates", () => {
    const header = contentDisposition("a'b(c)d*é\uD800.csv");
    expect(header).toContain("filename*=UTF-8''a%27b%28c%29d%2A%C3%A9%EF%BF%BD.csv");
    expect(header).not.toMatch(/[\r\n]/);
  });
});

describe("contentTypeFor", () => {
  it.each([
    ["a.csv", "text/csv; charset=utf-8"],
    ["a.CSV", "text/csv; charset=utf-8"],
    ["a.tsv", "text/tab-separated-values; charset=utf-8"],
    ["a.csv.gz", "application/gzip"],
    ["a.tsv.gz", "application/gzip"],
    ["a.bin", "application/octet-stream"],
    ["noextension", "application/octet-stream"],
  ])("%s → %s", (name, type) => {
    expect(contentTypeFor(name)).toBe(type);
  });
});

describe("downloadFileName", () => {
  const at = new Date("2024-06-01T00:00:00.000Z");

  it.each([
    ["Daily revenue", "csv", true, "Daily revenue_2024-06-01T00-00-00Z.csv.gz"],
    ["Daily revenue", "tsv", false, "Daily revenue_2024-06-01T00-00-00Z.tsv"],
    ['a/b\\c:d*e?f"g<h>i|j', "csv", false, "a_b_c_d_e_f_g_h_i_j_2024-06-01T00-00-00Z.csv"],
    ["  ..hidden  ", "csv", false, "hidden_2024-06-01T00-00-00Z.csv"],
    ["tab\there\nnewline", "csv", false, "tab here newline_2024-06-01T00-00-00Z.csv"],
    ["", "csv", false, "report_2024-06-01T00-00-00Z.csv"],
    ["...", "csv", false, "report_2024-06-01T00-00-00Z.csv"],
    ["Résumé 日本", "csv", false, "Résumé 日本_2024-06-01T00-00-00Z.csv"],
    ["ctrl\u0001\u007fchars", "csv", false, "ctrl__chars_2024-06-01T00-00-00Z.csv"],
  ] as const)("%j (%s, gzip %s) → %j", (name, format, gzip, expected) => {
    expect(downloadFileName(name, at, format, gzip)).toBe(expected);
  });

  it("drops milliseconds and keeps the UTC time", () => {
    expect(downloadFileName("r", new Date("2024-12-31T23:59:58.999Z"), "csv", false)).toBe(
      "r_2024-12-31T23-59-58Z.csv",
    );
  });

  it("shortens long names to 100 characters without splitting a character", () => {
    const name = downloadFileName("😀".repeat(150), at, "csv", false);
    expect([...name.split("_")[0]!]).toHaveLength(100);
  });

  it("replaces lone surrogates", () => {
    expect(downloadFileName("a\uD800b", at, "csv", false)).toBe("a\uFFFDb_2024-06-01T00-00-00Z.csv");
  });
});
