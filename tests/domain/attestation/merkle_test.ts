import assert from "node:assert/strict";
import { toHex } from "../../../domain/tokens_and_hashes.ts";
import {
  consistencyProof,
  consistencyRanges,
  emptyRoot,
  foldPerfectSubtrees,
  hexToBytes,
  inclusionProof,
  inclusionRanges,
  leafHash,
  nodeHash,
  perfectSubtrees,
  rootFromLeafHashes,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from "../../../domain/attestation/merkle.ts";

const hex = (h: Uint8Array) => toHex(h);
const bytes = (h: string) => {
  const b = hexToBytes(h);
  if (!b) throw new Error(`bad hex ${h}`);
  return b;
};
const utf8 = (s: string) => new TextEncoder().encode(s);

/** SHA-256 computed here from first principles of the test (not through merkle.ts). */
async function sha256(parts: (number[] | Uint8Array)[]): Promise<Uint8Array> {
  const all = parts.flatMap((p) => [...p]);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(all)));
}

async function leaves(n: number): Promise<Uint8Array[]> {
  return await Promise.all(Array.from({ length: n }, (_, i) => leafHash(utf8(`leaf-${i}`))));
}

/** Flips one bit of a copy of `h`. */
function flip(h: Uint8Array): Uint8Array {
  const c = h.slice();
  c[0] ^= 1;
  return c;
}

// Certificate Transparency reference inputs (certificate-transparency / trillian merkle tests) and the roots of
// the trees of their first n entries, n = 1..8.
const CT_LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
];
const CT_ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

async function ctLeafHashes(): Promise<Uint8Array[]> {
  return await Promise.all(CT_LEAVES.map((l) => leafHash(bytes(l))));
}

Deno.test("emptyRoot() is SHA-256 of the empty string", async () => {
  assert.equal(hex(await emptyRoot()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assert.equal(hex(await rootFromLeafHashes([])), hex(await emptyRoot()));
});

Deno.test("leafHash() and nodeHash() prefix 0x00 and 0x01 before hashing", async () => {
  const data = utf8("abc");
  assert.deepEqual(await leafHash(data), await sha256([[0], data]));
  const a = await leafHash(utf8("a"));
  const b = await leafHash(utf8("b"));
  assert.deepEqual(await nodeHash(a, b), await sha256([[1], a, b]));
  assert.notDeepEqual(await nodeHash(a, b), await nodeHash(b, a));
  // The empty leaf's hash is the root of the one-leaf reference tree.
  assert.equal(hex(await leafHash(new Uint8Array(0))), CT_ROOTS[0]);
});

Deno.test("splitPoint() is the largest power of two strictly below n", () => {
  const table: [number, number][] = [[2, 1], [3, 2], [4, 2], [5, 4], [8, 4], [9, 8], [16, 8], [17, 16]];
  for (const [n, k] of table) assert.equal(splitPoint(n), k, `n=${n}`);
  assert.throws(() => splitPoint(1), RangeError);
});

Deno.test("rootFromLeafHashes() matches roots composed by hand for sizes 1..9", async () => {
  const L = await leaves(9);
  const N = nodeHash;
  const n01 = await N(L[0], L[1]);
  const n23 = await N(L[2], L[3]);
  const n45 = await N(L[4], L[5]);
  const n67 = await N(L[6], L[7]);
  const n0123 = await N(n01, n23);
  const n4567 = await N(n45, n67);
  const expected = [
    L[0],
    n01,
    await N(n01, L[2]),
    n0123,
    await N(n0123, L[4]),
    await N(n0123, n45),
    await N(n0123, await N(n45, L[6])),
    await N(n0123, n4567),
    await N(await N(n0123, n4567), L[8]),
  ];
  for (let n = 1; n <= 9; n++) {
    assert.equal(hex(await rootFromLeafHashes(L.slice(0, n))), hex(expected[n - 1]), `size ${n}`);
  }
});

Deno.test("rootFromLeafHashes() reproduces the Certificate Transparency reference roots", async () => {
  const hashes = await ctLeafHashes();
  for (let n = 1; n <= 8; n++) {
    assert.equal(hex(await rootFromLeafHashes(hashes.slice(0, n))), CT_ROOTS[n - 1], `size ${n}`);
  }
});

Deno.test("inclusionProof() reproduces the Certificate Transparency reference audit paths", async () => {
  const hashes = await ctLeafHashes();
  const table: [number, number, string[]][] = [
    [0, 1, []],
    [0, 8, [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]],
    [5, 8, [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]],
    [2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]],
    [1, 5, [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]],
  ];
  for (const [index, size, path] of table) {
    const proof = await inclusionProof(index, hashes.slice(0, size));
    assert.deepEqual(proof.map(hex), path, `leaf ${index} of ${size}`);
    assert.ok(await verifyInclusion(hashes[index], index, size, proof, bytes(CT_ROOTS[size - 1])));
  }
});

Deno.test("consistencyProof() reproduces the Certificate Transparency reference proofs", async () => {
  const hashes = await ctLeafHashes();
  const table: [number, number, string[]][] = [
    [1, 1, []],
    [1, 8, [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]],
    [6, 8, [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]],
    [2, 5, [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]],
    // Worked by hand from SUBPROOF: leaves 2 and 3, then the subtrees [0,2) and [4,8).
    [3, 8, [
      "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
      "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]],
  ];
  for (const [m, n, path] of table) {
    const proof = await consistencyProof(m, hashes.slice(0, n));
    assert.deepEqual(proof.map(hex), path, `${m} → ${n}`);
    assert.ok(await verifyConsistency(m, n, proof, bytes(CT_ROOTS[m - 1]), bytes(CT_ROOTS[n - 1])));
  }
});

Deno.test("every inclusion proof in trees of 1..9 leaves verifies, and tampered ones fail", async (t) => {
  const L = await leaves(9);
  for (let n = 1; n <= 9; n++) {
    const tree = L.slice(0, n);
    const root = await rootFromLeafHashes(tree);
    await t.step(`size ${n}`, async () => {
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(i, tree);
        assert.equal(proof.length, inclusionRanges(i, n).length);
        assert.ok(await verifyInclusion(tree[i], i, n, proof, root), `leaf ${i}`);
        // Wrong leaf, wrong root, wrong index, wrong size.
        assert.equal(await verifyInclusion(flip(tree[i]), i, n, proof, root), false);
        assert.equal(await verifyInclusion(tree[i], i, n, proof, flip(root)), false);
        for (const j of [i - 1, i + 1, i ^ 2]) {
          if (j !== i) assert.equal(await verifyInclusion(tree[i], j, n, proof, root), false, `as ${j}`);
        }
        // A claimed size whose audit path has another length fails. (Sizes with the same path shape cannot be
        // told apart by the path alone; the signed checkpoint is what binds the size to the root.)
        for (const m of [n + 1, n * 2, Math.floor(n / 2), n - 1]) {
          if (m > i && m !== n && inclusionRanges(i, m).length !== proof.length) {
            assert.equal(await verifyInclusion(tree[i], i, m, proof, root), false, `size ${m}`);
          }
        }
        // Each path element altered, the path truncated, extended at either end.
        for (let k = 0; k < proof.length; k++) {
          const bad = proof.slice();
          bad[k] = flip(bad[k]);
          assert.equal(await verifyInclusion(tree[i], i, n, bad, root), false, `element ${k}`);
        }
        if (proof.length > 0) {
          assert.equal(await verifyInclusion(tree[i], i, n, proof.slice(0, -1), root), false);
        }
        assert.equal(await verifyInclusion(tree[i], i, n, [...proof, root], root), false);
        assert.equal(await verifyInclusion(tree[i], i, n, [root, ...proof], root), false);
      }
    });
  }
});

Deno.test("verifyInclusion() refuses malformed input without throwing", async () => {
  const L = await leaves(2);
  const root = await rootFromLeafHashes(L);
  const proof = await inclusionProof(0, L);
  assert.equal(await verifyInclusion(L[0], 0, 0, proof, root), false);
  assert.equal(await verifyInclusion(L[0], 2, 2, proof, root), false);
  assert.equal(await verifyInclusion(L[0], -1, 2, proof, root), false);
  assert.equal(await verifyInclusion(L[0], 0.5, 2, proof, root), false);
  assert.equal(await verifyInclusion(L[0], 0, 2, [new Uint8Array(0)], root), false);
  assert.equal(await verifyInclusion(L[0].slice(1), 0, 2, proof, root), false);
});

Deno.test("every consistency proof between trees of 1..9 leaves verifies, and altered ones fail", async (t) => {
  const L = await leaves(9);
  const roots = await Promise.all(Array.from({ length: 10 }, (_, n) => rootFromLeafHashes(L.slice(0, n))));
  for (let n = 1; n <= 9; n++) {
    await t.step(`to size ${n}`, async () => {
      for (let m = 1; m <= n; m++) {
        const proof = await consistencyProof(m, L.slice(0, n));
        assert.equal(proof.length, consistencyRanges(m, n).length);
        assert.ok(await verifyConsistency(m, n, proof, roots[m], roots[n]), `${m} → ${n}`);
        assert.equal(await verifyConsistency(m, n, proof, flip(roots[m]), roots[n]), false);
        assert.equal(await verifyConsistency(m, n, proof, roots[m], flip(roots[n])), false);
        if (m === n) {
          assert.deepEqual(proof, []);
          assert.equal(await verifyConsistency(m, n, [roots[m]], roots[m], roots[n]), false);
          continue;
        }
        assert.equal(await verifyConsistency(m, n, [], roots[m], roots[n]), false);
        assert.equal(await verifyConsistency(m, n, proof, roots[n], roots[m]), false, "swapped roots");
        for (let k = 0; k < proof.length; k++) {
          const bad = proof.slice();
          bad[k] = flip(bad[k]);
          assert.equal(await verifyConsistency(m, n, bad, roots[m], roots[n]), false, `element ${k}`);
        }
        assert.equal(await verifyConsistency(m, n, proof.slice(0, -1), roots[m], roots[n]), false);
        assert.equal(await verifyConsistency(m, n, [...proof, roots[m]], roots[m], roots[n]), false);
        assert.equal(await verifyConsistency(m, n, [proof[0], ...proof], roots[m], roots[n]), false);
        // Claims about other sizes fail when their proofs have another shape (see the inclusion test).
        for (const [m2, n2] of [[m - 1, n], [m + 1, n], [m, n + 1], [m, n * 2], [m ^ 2, n]]) {
          if ((m2 === m && n2 === n) || m2 < 1 || m2 >= n2) continue;
          if (consistencyRanges(m2, n2).length === proof.length) continue;
          assert.equal(await verifyConsistency(m2, n2, proof, roots[m], roots[n]), false, `${m2} → ${n2}`);
        }
      }
    });
  }
});

Deno.test("verifyConsistency() refuses sizes out of order and malformed hashes without throwing", async () => {
  const L = await leaves(3);
  const r2 = await rootFromLeafHashes(L.slice(0, 2));
  const r3 = await rootFromLeafHashes(L);
  const proof = await consistencyProof(2, L);
  assert.ok(await verifyConsistency(2, 3, proof, r2, r3));
  assert.equal(await verifyConsistency(0, 3, proof, r2, r3), false);
  assert.equal(await verifyConsistency(3, 2, proof, r2, r3), false);
  assert.equal(await verifyConsistency(2, 3, [new Uint8Array(5)], r2, r3), false);
  assert.equal(await verifyConsistency(2, 3, proof, r2.slice(1), r3), false);
});

Deno.test("inclusionRanges() and consistencyRanges() refuse impossible requests", () => {
  assert.throws(() => inclusionRanges(0, 0), RangeError);
  assert.throws(() => inclusionRanges(3, 3), RangeError);
  assert.throws(() => inclusionRanges(-1, 3), RangeError);
  assert.throws(() => consistencyRanges(0, 3), RangeError);
  assert.throws(() => consistencyRanges(4, 3), RangeError);
  assert.deepEqual(consistencyRanges(5, 5), []);
  assert.deepEqual(inclusionRanges(0, 1), []);
});

Deno.test("perfectSubtrees() splits a size into its binary digits, largest subtree first", () => {
  assert.deepEqual(perfectSubtrees(0, 1), [{ level: 0, index: 0 }]);
  assert.deepEqual(perfectSubtrees(0, 8), [{ level: 3, index: 0 }]);
  assert.deepEqual(perfectSubtrees(0, 13), [{ level: 3, index: 0 }, { level: 2, index: 2 }, {
    level: 0,
    index: 12,
  }]);
  assert.deepEqual(perfectSubtrees(8, 11), [{ level: 1, index: 4 }, { level: 0, index: 10 }]);
  assert.throws(() => perfectSubtrees(1, 3), RangeError);
  assert.throws(() => perfectSubtrees(2, 2), RangeError);
});

Deno.test("every range a root or proof needs folds from perfect subtrees to its RFC 6962 hash", async () => {
  const L = await leaves(40);
  const perfect = (level: number, index: number) =>
    rootFromLeafHashes(L.slice(index * 2 ** level, (index + 1) * 2 ** level));
  const viaSubtrees = async (start: number, end: number) =>
    foldPerfectSubtrees(
      await Promise.all(perfectSubtrees(start, end).map((r) => perfect(r.level, r.index))),
    );
  for (let n = 1; n <= 40; n++) {
    const tree = L.slice(0, n);
    assert.equal(hex(await viaSubtrees(0, n)), hex(await rootFromLeafHashes(tree)), `root ${n}`);
    const ranges = [
      ...Array.from({ length: n }, (_, i) => inclusionRanges(i, n)).flat(),
      ...Array.from({ length: n }, (_, m) => consistencyRanges(m + 1, n)).flat(),
    ];
    for (const r of ranges) {
      assert.equal(
        hex(await viaSubtrees(r.start, r.end)),
        hex(await rootFromLeafHashes(tree.slice(r.start, r.end))),
        `[${r.start}, ${r.end}) of ${n}`,
      );
    }
  }
});

Deno.test("hexToBytes() parses hex and returns null for anything else", () => {
  assert.deepEqual(hexToBytes("00ff10"), new Uint8Array([0, 255, 16]));
  assert.deepEqual(hexToBytes(""), new Uint8Array(0));
  assert.equal(hexToBytes("abc"), null);
  assert.equal(hexToBytes("zz"), null);
});
