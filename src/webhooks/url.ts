/**
 * The URL a callback goes to (reference §6.3): POST appends `/<reportId>` to the path, GET adds
 * `reportId=<reportId>` to the query string. Whatever query string the CallbackUrl already has is
 * kept as written; a fragment is dropped (it is never sent over HTTP anyway).
 */
import { AppError, ERROR_CODES } from "../core/errors.js";
import type { CallbackMethod } from "../reports/model.js";

export function callbackTarget(callbackUrl: string, method: CallbackMethod, reportId: string): string {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    throw new AppError(ERROR_CODES.INVALID_ARGUMENT, "CallbackUrl must be an absolute http or https URL");
  }
  url.hash = "";
  const id = encodeURIComponent(reportId);
  if (method === "POST") {
    // "/callback" and "/callback/" both become "/callback/<id>"; the root "/" becomes "/<id>".
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/${id}`;
  } else {
    // Appended by hand: URLSearchParams would re-encode the existing pairs (e.g. %20 → +).
    const existing = url.search.replace(/^\?/, "").replace(/&+$/, "");
    url.search = existing ? `${existing}&reportId=${id}` : `reportId=${id}`;
  }
  return url.toString();
}
