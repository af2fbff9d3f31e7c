/** Display helpers: times in UTC (as the API speaks), sizes, numbers. */
export function shortTime(iso: string | null): string {
  return iso ? iso.replace("T", " ").replace(/:\d\dZ$/, " UTC") : "—";
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? "—" : n.toLocaleString("en-US");
}

/** `2026-12-06T10:00:00Z` (what the API takes) from a `datetime-local` input value (read as UTC). */
export function apiTime(local: string): string {
  return local ? `${local.length === 16 ? `${local}:00` : local}Z` : "";
}
