/**
 * A map bounded by its number of entries and by a size the caller measures. A value that would
 * not fit empties the map first (caches here refill cheaply; no eviction order to keep); a value
 * larger than the whole bound is never held.
 */
export interface MapBounds<V> {
  readonly maxEntries: number;
  /** The most `sizeOf` summed over the held values. */
  readonly maxSize: number;
  readonly sizeOf: (value: V) => number;
}

export class BoundedMap<V> {
  readonly #values = new Map<string, V>();
  #size = 0;

  constructor(private readonly bounds: MapBounds<V>) {}

  get(key: string): V | undefined {
    return this.#values.get(key);
  }

  set(key: string, value: V): void {
    const { maxEntries, maxSize, sizeOf } = this.bounds;
    const size = sizeOf(value);
    if (size > maxSize) return;
    if (this.#values.size >= maxEntries || this.#size + size > maxSize) this.clear();
    this.#values.set(key, value);
    this.#size += size;
  }

  clear(): void {
    this.#values.clear();
    this.#size = 0;
  }
}
