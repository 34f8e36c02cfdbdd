/**
 * Counter-based pseudo-random numbers: every draw is a hash of (seed, stream, a, b), so a value depends only on
 * its coordinates (e.g. symbol and day number) and never on how far a series was generated — which is what makes
 * synthetic history prefix-stable. The mixer is a 32-bit avalanche hash (xorshift-multiply rounds).
 */

/** Mixes a 32-bit integer (good avalanche: each input bit flips each output bit with probability ≈ 1/2). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit hash of up to four integers. */
export function hash4(seed: number, stream: number, a: number, b: number): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(stream | 0, 0x85ebca6b));
  h = mix32(h ^ Math.imul(a | 0, 0xc2b2ae35));
  return mix32(h ^ Math.imul(b | 0, 0x27d4eb2f));
}

/** A uniform number in (0, 1) from coordinates. */
export function uniform(seed: number, stream: number, a: number, b: number): number {
  return (hash4(seed, stream, a, b) + 0.5) / 4294967296;
}

/** A standard normal draw (Box–Muller on two coordinate-derived uniforms). */
export function normal(seed: number, stream: number, a: number, b: number): number {
  const u1 = uniform(seed, stream, a, b);
  const u2 = uniform(seed, stream ^ 0x5bd1e995, a, b);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A Student-t draw with 4 degrees of freedom scaled to unit variance (t₄ has variance 2): fat tails with
 * excess kurtosis, for daily shocks.
 */
export function studentT4(seed: number, stream: number, a: number, b: number): number {
  const z = normal(seed, stream, a, b);
  const chi2 = -2 * Math.log(uniform(seed, stream + 101, a, b) * uniform(seed, stream + 202, a, b)); // χ²₄
  return z / Math.sqrt(chi2 / 4) / Math.SQRT2;
}
