/**
 * One page of a long list at a time (the audit log, the load history), following the API's
 * nextLink forward and the links already visited back. A new first page (other filters) starts
 * again at page 1.
 */
import { useState } from "preact/hooks";
import { type Envelope, localPath, request } from "./api";
import { type Loaded, useLoad } from "./useLoad";

export interface Pages<T> {
  readonly page: Loaded<Envelope<T>>;
  /** 1 for the first page. */
  readonly number: number;
  /** Undefined where there is no such page. */
  readonly next: (() => void) | undefined;
  readonly previous: (() => void) | undefined;
}

export function usePages<T>(firstPath: string): Pages<T> {
  const [visited, setVisited] = useState<{ first: string; links: string[] }>({ first: firstPath, links: [] });
  const links = visited.first === firstPath ? visited.links : [];
  const current = links.at(-1) ?? firstPath;
  const page = useLoad(() => request<T>("GET", current), [current]);
  const nextLink = page.data?.nextLink;
  return {
    page,
    number: links.length + 1,
    next:
      nextLink && !page.loading
        ? () => setVisited({ first: firstPath, links: [...links, localPath(nextLink)] })
        : undefined,
    previous:
      links.length > 0 ? () => setVisited({ first: firstPath, links: links.slice(0, -1) }) : undefined,
  };
}
