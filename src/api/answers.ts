/**
 * Whole answers kept while the store stays unchanged. A list like ScheduledQueries is a function
 * of the stored data and the request alone (tenant, URL, public base), and its answer is large
 * (the system queries alone are ~20 KB): while the store's change version stays the same, the
 * bytes made for the same request are sent again. A store without a change version keeps nothing.
 */
import { VersionedCache } from "../core/versioned-cache.js";

export type AnswerBody = string | Buffer;

export class AnswerCache {
  readonly #cache: VersionedCache<AnswerBody> | undefined;

  constructor(changeVersion: (() => number) | undefined) {
    this.#cache =
      changeVersion &&
      new VersionedCache<AnswerBody>({
        version: changeVersion,
        maxEntries: 500,
        maxSize: 32 * 1024 * 1024,
        sizeOf: (answer) => (typeof answer === "string" ? answer.length * 2 : answer.length),
      });
  }

  /** The answer kept for `key`, or the one `make` makes, kept when `keep` says so once made. */
  remember(key: string, make: () => Promise<AnswerBody>, keep?: () => boolean): Promise<AnswerBody> {
    return this.#cache ? this.#cache.remember(key, make, keep) : make();
  }
}
