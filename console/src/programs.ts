/**
 * The programs the service serves, learnt from the API (`GET /insights/v1/programs`): the built-in
 * mpn and cmp and every catalog file's. Asked once per page load; the list changes only when the
 * service restarts with other catalog files.
 */
import { request } from "./api";
import type { ProgramInfo } from "./model";

const TITLES: Readonly<Record<string, string>> = {
  mpn: "Partner Center (mpn)",
  cmp: "Marketplace (cmp)",
};

/** What the selector shows: the built-in programs' product names, a catalog program's own name. */
export function programTitle(program: string): string {
  return TITLES[program] ?? program;
}

let served: Promise<ProgramInfo[]> | null = null;

export function servedPrograms(): Promise<ProgramInfo[]> {
  served ??= request<ProgramInfo>("GET", "/insights/v1/programs").then(
    (answer) => answer.value,
    (error: unknown) => {
      served = null; // asked again next time (the service may be back)
      throw error;
    },
  );
  return served;
}
