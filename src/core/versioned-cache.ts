/**
 * Values kept while a version number stays the same. The number says when the source they were
 * derived from may have changed (see `MetadataStore.changeVersion`); at the first change every
 * kept value is dropped. Bounded by entries and by a size the caller measures.
 */
export interface VersionedCacheOptions<V> {
  /** Changes whenever the source may have changed. */
  readonly version: () => number;
  readonly maxEntries: number;
  /** The most `sizeOf` summed over the kept values; a larger value is never kept. */
  readonly maxSize: number;
  readonly sizeOf: (value: V) => number;
}

export class VersionedCache<V> {
  readonly #values = new Map<string, V>();
  #at = Number.NaN;
  #size = 0;

  constructor(private readonly options: VersionedCacheOptions<V>) {}

  /**
   * The value kept for `key`, or the one `make` makes: kept when `keep` approves it and the
   * version did not move meanwhile.
   */
  async remember(key: string, make: () => Promise<V>, keep: (value: V) => boolean = () => true): Promise<V> {
    // Read before making: a change while the value is made leaves it unkept.
    const version = this.options.version();
    if (version !== this.#at) this.forget(version);
    const kept = this.#values.get(key);
    if (kept !== undefined) return kept;
    const value = await make();
    if (version === this.#at && keep(value)) this.keep(key, value);
    return value;
  }

  private forget(version: number): void {
    this.#values.clear();
    this.#size = 0;
    this.#at = version;
  }

  private keep(key: string, value: V): void {
    const { maxEntries, maxSize, sizeOf } = this.options;
    const size = sizeOf(value);
    if (size > maxSize) return;
    if (this.#values.size >= maxEntries || this.#size + size > maxSize) this.forget(this.#at);
    this.#values.set(key, value);
    this.#size += size;
  }
}
