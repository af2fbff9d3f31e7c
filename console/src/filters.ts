/** The query string of a list's filters: the ones filled in, encoded, after the path. */
export function withFilters(path: string, filters: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value.trim()) query.set(name, value.trim());
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
