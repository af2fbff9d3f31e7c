/**
 * The error catalogue and its documentation stay equal, both ways: every code of
 * `src/core/errors.ts` with its status from `src/api/errors.ts` is a row of the table in
 * docs/api.md, and every row of that table is such a code with that status.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HTTP_STATUS } from "../../src/api/errors.js";
import { ERROR_CODES } from "../../src/core/errors.js";

const API_DOC = path.resolve(import.meta.dirname, "../../docs/api.md");

/** The `| \`code\` | status | … |` rows of the table under the "## Errors" heading. */
function documentedStatuses(markdown: string): Record<string, number> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith("Errors\n"));
  if (!section) throw new Error("docs/api.md has no '## Errors' section");
  const rows: Record<string, number> = {};
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm)) {
    rows[match[1]!] = Number(match[2]);
  }
  return rows;
}

describe("error codes and docs/api.md", () => {
  const documented = documentedStatuses(readFileSync(API_DOC, "utf8"));

  it("documents every error code with its HTTP status", () => {
    const inCode = Object.fromEntries(Object.values(ERROR_CODES).map((code) => [code, HTTP_STATUS[code]]));
    expect(documented).toEqual(inCode);
  });

  it("maps exactly the error codes to statuses", () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.values(ERROR_CODES).sort());
  });
});
