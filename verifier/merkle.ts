/**
 * RFC 6962 / RFC 9162 Merkle proof verification over hex strings: leaf hash `SHA-256(0x00 ‖ data)`, interior
 * node `SHA-256(0x01 ‖ left ‖ right)`. `inclusionVerifies` follows RFC 9162 §2.1.3.2 and `consistencyVerifies`
 * §2.1.4.2 step by step. Both answer `false` (never throw) for malformed input: a bad index or size, a hash that
 * is not 32 bytes, a path of the wrong length.
 */
import { fromHex, sha256, toHex } from "./crypto.ts";

const isHash32 = (b: Uint8Array | null): b is Uint8Array => b !== null && b.length === 32;

/** The leaf hash of `data` bytes: `SHA-256(0x00 ‖ data)`, hex. */
export async function leafHashHex(data: Uint8Array): Promise<string> {
  return toHex(await sha256(Uint8Array.of(0, ...data)));
}

/** The interior node hash `SHA-256(0x01 ‖ left ‖ right)`. */
async function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(65);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 33);
  return await sha256(buf);
}

const isSize = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const lsb = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

function decodeAll(hexes: readonly string[]): Uint8Array[] | null {
  if (!Array.isArray(hexes)) return null;
  const out: Uint8Array[] = [];
  for (const h of hexes) {
    const b = fromHex(h);
    if (!isHash32(b)) return null;
    out.push(b);
  }
  return out;
}

/** Whether leaf hash `leafHex` is leaf `index` of the tree of `size` leaves with root `rootHex` (RFC 9162 §2.1.3.2). */
export async function inclusionVerifies(
  leafHex: string,
  index: number,
  size: number,
  path: readonly string[],
  rootHex: string,
): Promise<boolean> {
  const leaf = fromHex(leafHex), root = fromHex(rootHex), proof = decodeAll(path);
  if (!isSize(index) || !isSize(size) || index >= size || !isHash32(leaf) || !isHash32(root) || !proof) {
    return false;
  }
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      r = await node(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) (fn = half(fn)), (sn = half(sn));
      }
    } else {
      r = await node(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && toHex(r) === toHex(root);
}

/**
 * Whether the tree of `m` leaves with root `rootM` is a prefix of the tree of `n` leaves with root `rootN`
 * (RFC 9162 §2.1.4.2); for `m = n` the proof must be empty and the roots equal.
 */
export async function consistencyVerifies(
  m: number,
  n: number,
  proofHex: readonly string[],
  rootMHex: string,
  rootNHex: string,
): Promise<boolean> {
  const rootM = fromHex(rootMHex), rootN = fromHex(rootNHex), proof = decodeAll(proofHex);
  if (!isSize(m) || !isSize(n) || m < 1 || m > n || !isHash32(rootM) || !isHash32(rootN) || !proof) {
    return false;
  }
  if (m === n) return proof.length === 0 && toHex(rootM) === toHex(rootN);
  if (proof.length === 0) return false;
  // Step 1: when m is a power of two, the old root is the first node of the path.
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : proof;
  let fn = m - 1, sn = n - 1;
  while (lsb(fn)) (fn = half(fn)), (sn = half(sn));
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) (fn = half(fn)), (sn = half(sn));
      }
    } else {
      sr = await node(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && toHex(fr) === toHex(rootM) && toHex(sr) === toHex(rootN);
}
