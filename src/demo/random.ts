/**
 * A small seeded PRNG (sfc32, seeded through cyrb128) and the draws the demo generator needs.
 * Pure JS, no dependency: the same seed and keys always give the same sequence on every platform.
 */

/** 128 bits of hash state from a string (cyrb128). */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const HEX = "0123456789abcdef";

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | null = null;

  /** A generator for `seed` and a path of keys (e.g. program, dataset, tenant): independent streams. */
  constructor(seed: number, ...keys: readonly string[]) {
    [this.a, this.b, this.c, this.d] = cyrb128(`${seed}\u0000${keys.join("\u0000")}`);
    for (let i = 0; i < 12; i++) this.next32();
  }

  /** sfc32: a uniform 32-bit unsigned integer. */
  next32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const r = (t + this.d) | 0;
    this.c = (this.c + r) | 0;
    return r >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.next32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * An index in [0, n) skewed towards 0 (u^power: a few values are common, most are rare).
   * Powers 1.5 and 2 avoid Math.pow: this runs for several columns of every generated row.
   */
  skewed(n: number, power: 1.5 | 2 | number = 2): number {
    const u = this.next();
    const x = power === 2 ? u * u : power === 1.5 ? u * Math.sqrt(u) : u ** power;
    return Math.floor(x * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller, using both values). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** A random version-4 GUID, lower case. */
  guid(): string {
    let out = "";
    for (let i = 0; i < 32; i++) {
      if (i === 8 || i === 12 || i === 16 || i === 20) out += "-";
      let nibble = this.next32() & 15;
      if (i === 12) nibble = 4;
      else if (i === 16) nibble = 8 | (nibble & 3);
      out += HEX[nibble];
    }
    return out;
  }

  /** A string of `length` decimal digits, not starting with 0. */
  digits(length: number): string {
    let out = String(1 + this.int(9));
    for (let i = 1; i < length; i++) out += String(this.int(10));
    return out;
  }
}
