/**
 * Values kept while a version number stays the same. The number says when the source they were
 * derived from may have changed (see `MetadataStore.changeVersion`); at the first change every
 * kept value is dropped. Bounded like a `BoundedMap`.
 */
import { BoundedMap, type MapBounds } from "./bounded-map.js";

export interface VersionedCacheOptions<V> extends MapBounds<V> {
  /** Changes whenever the source may have changed. */
  readonly version: () => number;
}

export class VersionedCache<V> {
  readonly #values: BoundedMap<V>;
  #at = Number.NaN;

  constructor(private readonly options: VersionedCacheOptions<V>) {
    this.#values = new BoundedMap(options);
  }

  /**
   * The value kept for `key`, or the one `make` makes: kept when `keep` approves it and the
   * version did not move meanwhile.
   */
  async remember(key: string, make: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    // Read before making: a change while the value is made leaves it unkept.
    const version = this.options.version();
    if (version !== this.#at) {
      this.#values.clear();
      this.#at = version;
    }
    const kept = this.#values.get(key);
    if (kept !== undefined) return kept;
    const value = await make();
    if (version === this.#at && keep(value)) this.#values.set(key, value);
    return value;
  }
}
