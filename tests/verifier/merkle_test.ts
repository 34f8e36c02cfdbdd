/**
 * The verifier's RFC 6962 proof checks against the RFC 6962 test tree (the eight leaves of the Certificate
 * Transparency reference tests and their published roots), with audit paths and consistency proofs built here by
 * the RFC's recursive definitions (PATH, PROOF/SUBPROOF), for every index and every pair of sizes.
 */
import assert from "node:assert/strict";
import { fromHex, sha256, toHex } from "../../verifier/crypto.ts";
import { consistencyVerifies, inclusionVerifies, leafHashHex } from "../../verifier/merkle.ts";

const LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
]
  .map((h) => fromHex(h)!);
/** Roots of the first 1…8 leaves, as the RFC 6962 reference tests publish them. */
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

const k = (n: number) => {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
};
async function mth(d: Uint8Array[]): Promise<string> {
  if (d.length === 1) return await leafHashHex(d[0]);
  const s = k(d.length);
  const [l, r] = [await mth(d.slice(0, s)), await mth(d.slice(s))];
  return toHex(await sha256(Uint8Array.of(1, ...fromHex(l)!, ...fromHex(r)!)));
}
/** RFC 6962 §2.1.1 PATH(m, D[n]). */
async function path(m: number, d: Uint8Array[]): Promise<string[]> {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s
    ? [...await path(m, d.slice(0, s)), await mth(d.slice(s))]
    : [...await path(m - s, d.slice(s)), await mth(d.slice(0, s))];
}
/** RFC 6962 §2.1.2 SUBPROOF(m, D[n], b). */
async function subproof(m: number, d: Uint8Array[], b: boolean): Promise<string[]> {
  if (m === d.length) return b ? [] : [await mth(d)];
  const s = k(d.length);
  return m <= s
    ? [...await subproof(m, d.slice(0, s), b), await mth(d.slice(s))]
    : [...await subproof(m - s, d.slice(s), false), await mth(d.slice(0, s))];
}
const flip = (hex: string) => (hex[0] === "0" ? "1" : "0") + hex.slice(1);

Deno.test("the RFC 6962 test tree's roots come out of the definition (the fixture is right)", async () => {
  for (let n = 1; n <= 8; n++) assert.equal(await mth(LEAVES.slice(0, n)), ROOTS[n - 1], `size ${n}`);
});

Deno.test("inclusionVerifies() accepts every audit path of the test tree and refuses altered ones", async () => {
  for (let n = 1; n <= 8; n++) {
    for (let m = 0; m < n; m++) {
      const leaf = await leafHashHex(LEAVES[m]);
      const p = await path(m, LEAVES.slice(0, n));
      assert.equal(await inclusionVerifies(leaf, m, n, p, ROOTS[n - 1]), true, `leaf ${m} of ${n}`);
      assert.equal(await inclusionVerifies(flip(leaf), m, n, p, ROOTS[n - 1]), false);
      assert.equal(await inclusionVerifies(leaf, m, n, p, flip(ROOTS[n - 1])), false);
      if (p.length > 0) {
        assert.equal(await inclusionVerifies(leaf, m, n, [flip(p[0]), ...p.slice(1)], ROOTS[n - 1]), false);
        assert.equal(await inclusionVerifies(leaf, m, n, p.slice(1), ROOTS[n - 1]), false, "a short path");
      }
      assert.equal(await inclusionVerifies(leaf, m, n, [...p, ROOTS[0]], ROOTS[n - 1]), false, "a long path");
      if (n > 1) assert.equal(await inclusionVerifies(leaf, (m + 1) % n, n, p, ROOTS[n - 1]), false, "index");
    }
  }
});

Deno.test("inclusionVerifies() matches the reference audit path of leaf 0 in the 8-leaf tree", async () => {
  const p = await path(0, LEAVES);
  assert.deepEqual(p, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]);
  assert.equal(await inclusionVerifies(await leafHashHex(LEAVES[0]), 0, 8, p, ROOTS[7]), true);
});

Deno.test("consistencyVerifies() accepts every consistency proof of the test tree and refuses altered ones", async () => {
  for (let n = 1; n <= 8; n++) {
    for (let m = 1; m <= n; m++) {
      const p = await subproof(m, LEAVES.slice(0, n), true);
      assert.equal(await consistencyVerifies(m, n, p, ROOTS[m - 1], ROOTS[n - 1]), true, `${m} → ${n}`);
      assert.equal(await consistencyVerifies(m, n, p, flip(ROOTS[m - 1]), ROOTS[n - 1]), false);
      assert.equal(await consistencyVerifies(m, n, p, ROOTS[m - 1], flip(ROOTS[n - 1])), false);
      if (p.length > 0) {
        assert.equal(
          await consistencyVerifies(m, n, [flip(p[0]), ...p.slice(1)], ROOTS[m - 1], ROOTS[n - 1]),
          false,
        );
        assert.equal(await consistencyVerifies(m, n, p.slice(1), ROOTS[m - 1], ROOTS[n - 1]), false);
      }
    }
  }
  assert.equal(await consistencyVerifies(0, 3, [], ROOTS[0], ROOTS[2]), false, "m = 0");
  assert.equal(await consistencyVerifies(4, 3, [], ROOTS[3], ROOTS[2]), false, "m > n");
  assert.equal(
    await consistencyVerifies(3, 3, ["00".repeat(32)], ROOTS[2], ROOTS[2]),
    false,
    "m = n, a proof",
  );
});

Deno.test("the proof checks answer false for malformed input instead of throwing", async () => {
  const leaf = await leafHashHex(LEAVES[0]);
  assert.equal(await inclusionVerifies("zz", 0, 1, [], ROOTS[0]), false);
  assert.equal(await inclusionVerifies(leaf, -1, 1, [], ROOTS[0]), false);
  assert.equal(await inclusionVerifies(leaf, 0, 1.5, [], ROOTS[0]), false);
  assert.equal(await inclusionVerifies(leaf, 0, 2, ["abc"], ROOTS[1]), false);
  assert.equal(await consistencyVerifies(1, 2, null as unknown as string[], ROOTS[0], ROOTS[1]), false);
});
