/**
 * RFC 6962 (Certificate Transparency) Merkle tree hashing over byte strings: leaf hash
 * `SHA-256(0x00 || data)`, node hash `SHA-256(0x01 || left || right)`, empty tree `SHA-256("")`, trees split at
 * the largest power of two below their size. Inclusion and consistency proofs follow RFC 6962 §2.1.1 (PATH) and
 * §2.1.2 (PROOF / SUBPROOF with the `b` flag); the verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2.
 *
 * The proof algorithms are split in two: `inclusionRanges` / `consistencyRanges` say which leaf ranges' hashes a
 * proof lists (pure arithmetic), and the caller hashes those ranges from wherever it keeps them — an array of
 * leaf hashes here, stored perfect-subtree nodes in the transparency log. Every range a proof or root needs is
 * "aligned", so its hash folds from at most ⌈log2 n⌉ perfect subtrees (`perfectSubtrees`).
 *
 * Pure: no I/O. SHA-256 is WebCrypto's, so everything that hashes is async.
 */

/** Bytes in a SHA-256 hash, and so in every leaf, node and root hash. */
const HASH_BYTES = 32;

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** A contiguous range of leaves `[start, end)`. */
export interface LeafRange {
  start: number;
  end: number;
}

/** A perfect subtree: level `L`, index `i` covers leaves `[i·2^L, (i+1)·2^L)`; level 0 is one leaf. */
export interface NodeRef {
  level: number;
  index: number;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** The RFC 6962 leaf hash `SHA-256(0x00 || data)`. */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(1 + data.length);
  buf[0] = LEAF_PREFIX;
  buf.set(data, 1);
  return sha256(buf);
}

/** The RFC 6962 interior node hash `SHA-256(0x01 || left || right)`. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** The root of the empty tree, `SHA-256("")`. */
export function emptyRoot(): Promise<Uint8Array> {
  return sha256(new Uint8Array(0));
}

/** The largest power of two strictly below `n` (the RFC 6962 split point `k`); `n` must be at least 2. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`Cannot split a tree of ${n} leaves`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Whether two byte strings are equal. */
function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * The leaf ranges whose hashes form the audit path of leaf `index` in a tree of `size` leaves, in RFC 6962 PATH
 * order (the sibling nearest the leaf first). Throws `RangeError` unless `0 ≤ index < size`.
 */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!isCount(index) || !isCount(size) || index >= size) {
    throw new RangeError(`Cannot prove leaf ${index} in a tree of ${size} leaves`);
  }
  const rootDown: LeafRange[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (index < mid) {
      rootDown.push({ start: mid, end });
      end = mid;
    } else {
      rootDown.push({ start, end: mid });
      start = mid;
    }
  }
  return rootDown.reverse();
}

/**
 * The leaf ranges whose hashes form the consistency proof from size `m` to size `n`, in RFC 6962 PROOF order
 * (SUBPROOF with `b = true` at the top; the deepest node first). Empty when `m = n`. Throws `RangeError` unless
 * `1 ≤ m ≤ n`.
 */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  if (!isCount(m) || !isCount(n) || m < 1 || m > n) {
    throw new RangeError(`Cannot prove consistency from size ${m} to size ${n}`);
  }
  const rootDown: LeafRange[] = [];
  let start = 0;
  let end = n;
  let rest = m; // how many of this subtree's leaves belong to the old tree
  let complete = true; // the RFC's `b`: the subtree so far is a prefix of the old tree whose hash is known
  for (;;) {
    const size = end - start;
    if (rest === size) {
      if (!complete) rootDown.push({ start, end });
      break;
    }
    const mid = start + splitPoint(size);
    if (rest <= mid - start) {
      rootDown.push({ start: mid, end });
      end = mid;
    } else {
      rootDown.push({ start, end: mid });
      rest -= mid - start;
      start = mid;
      complete = false;
    }
  }
  return rootDown.reverse();
}

/**
 * The perfect subtrees, left to right, whose right fold (`foldPerfectSubtrees`) is the RFC 6962 hash of the
 * aligned range `[start, end)`: one per set bit of `end - start`, largest first. Every range that a root or a
 * proof needs is aligned (its start is a multiple of the smallest power of two ≥ its length). Throws
 * `RangeError` for an empty or unaligned range.
 */
export function perfectSubtrees(start: number, end: number): NodeRef[] {
  if (!isCount(start) || !isCount(end) || start >= end) {
    throw new RangeError(`Cannot decompose the leaf range [${start}, ${end})`);
  }
  const out: NodeRef[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    let width = 1;
    while (width * 2 <= end - at) {
      width *= 2;
      level++;
    }
    if (at % width !== 0) throw new RangeError(`The leaf range [${start}, ${end}) is not aligned`);
    out.push({ level, index: at / width });
    at += width;
  }
  return out;
}

/**
 * Folds perfect-subtree hashes, left to right as `perfectSubtrees` lists them, into the hash of their range:
 * `node(h0, node(h1, … node(h_{k-2}, h_{k-1})))`; the empty list gives the empty tree's root.
 */
export async function foldPerfectSubtrees(hashes: readonly Uint8Array[]): Promise<Uint8Array> {
  if (hashes.length === 0) return emptyRoot();
  let acc = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) acc = await nodeHash(hashes[i], acc);
  return acc;
}

/** RFC 6962 MTH of `leafHashes[start:end]`, by the definition (recursive split at the largest power of two). */
async function rangeHash(leafHashes: readonly Uint8Array[], start: number, end: number): Promise<Uint8Array> {
  const n = end - start;
  if (n === 0) return emptyRoot();
  if (n === 1) return leafHashes[start];
  const mid = start + splitPoint(n);
  const [left, right] = await Promise.all([
    rangeHash(leafHashes, start, mid),
    rangeHash(leafHashes, mid, end),
  ]);
  return nodeHash(left, right);
}

/** The RFC 6962 Merkle tree hash of a list of leaf hashes; `SHA-256("")` for the empty list. */
export function rootFromLeafHashes(leafHashes: readonly Uint8Array[]): Promise<Uint8Array> {
  return rangeHash(leafHashes, 0, leafHashes.length);
}

/**
 * The RFC 6962 audit path of leaf `index` in the tree of `leafHashes` (nearest sibling first). Throws
 * `RangeError` unless `0 ≤ index < leafHashes.length`.
 */
export function inclusionProof(index: number, leafHashes: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const ranges = inclusionRanges(index, leafHashes.length);
  return Promise.all(ranges.map((r) => rangeHash(leafHashes, r.start, r.end)));
}

/**
 * The RFC 6962 consistency proof from the tree of the first `m` leaves to the tree of all `leafHashes`. Empty
 * when `m` equals their count; throws `RangeError` unless `1 ≤ m ≤ leafHashes.length`.
 */
export function consistencyProof(m: number, leafHashes: readonly Uint8Array[]): Promise<Uint8Array[]> {
  const ranges = consistencyRanges(m, leafHashes.length);
  return Promise.all(ranges.map((r) => rangeHash(leafHashes, r.start, r.end)));
}

function isPowerOfTwo(n: number): boolean {
  let p = 1;
  while (p < n) p *= 2;
  return p === n;
}

const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === HASH_BYTES;

/**
 * Verifies an audit path (RFC 9162 §2.1.3.2): whether `leaf` (a leaf hash) is leaf `index` of the tree of
 * `treeSize` leaves whose root is `root`. Returns `false`, never throws, for malformed input (an index outside the
 * tree, a hash that is not 32 bytes, a path of the wrong length).
 */
export async function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): Promise<boolean> {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(r, root);
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2): whether the tree of `m` leaves with root `rootM` is a prefix
 * of the tree of `n` leaves with root `rootN`. For `m = n` the proof must be empty and the roots equal. Returns
 * `false`, never throws, for malformed input (`m < 1`, `m > n`, a hash that is not 32 bytes, a wrong-length
 * proof).
 */
export async function verifyConsistency(
  m: number,
  n: number,
  proof: readonly Uint8Array[],
  rootM: Uint8Array,
  rootN: Uint8Array,
): Promise<boolean> {
  if (!isCount(m) || !isCount(n) || m < 1 || m > n) return false;
  if (!isHash(rootM) || !isHash(rootN) || !proof.every(isHash)) return false;
  if (m === n) return proof.length === 0 && bytesEqual(rootM, rootN);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(m) ? [rootM, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && bytesEqual(fr, rootM) && bytesEqual(sr, rootN);
}

/** The bytes of a hex string (either case); `null` when it is not an even number of hex digits. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
