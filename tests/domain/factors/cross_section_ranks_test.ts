import assert from "node:assert/strict";
import {
  MIN_PAIRS,
  rankRow,
  rankScratch,
  sortRows,
  spearmanRows,
} from "../../../domain/factors/cross_section_ranks.ts";

Deno.test("sortRows() + rankRow(): average ranks for ties, missing values left out, a mask respected", () => {
  // one row of 6: 3, NaN, 1, 3, 2, 3 → finite sorted 1 (C), 2 (E), 3 (A, D, F) → ranks C 1, E 2, A D F (3+4+5)/3 = 4
  const rows = sortRows(Float64Array.from([3, NaN, 1, 3, 2, 3]), 1, 6);
  assert.equal(rows.start[1] - rows.start[0], 5);
  const rank = new Float64Array(6).fill(-1);
  const s = rankScratch(6);
  assert.equal(rankRow(rows, 0, null, rank, s.idx), 5);
  assert.deepEqual(Array.from(rank), [4, -1, 1, 4, 2, 4]);
  // keep only A, C, F: 3, 1, 3 → C 1, A F 2.5
  rank.fill(-1);
  assert.equal(rankRow(rows, 0, Uint8Array.from([1, 0, 1, 0, 0, 1]), rank, s.idx), 3);
  assert.deepEqual(Array.from(rank), [2.5, -1, 1, -1, -1, 2.5]);
});

Deno.test("spearmanRows(): needs MIN_PAIRS pairs and two non-constant sides", () => {
  assert.equal(MIN_PAIRS, 3);
  const x = sortRows(Float64Array.from([1, 2, 3, 4, 1, 2, NaN, NaN]), 2, 4);
  const y = sortRows(Float64Array.from([4, 3, 2, 1, 5, NaN, 7, 8]), 2, 4);
  const s = rankScratch(4);
  const o = { rho: 0, n: 0 };
  spearmanRows(x, 0, y, 0, s, o);
  assert.equal(o.rho, -1);
  assert.equal(o.n, 4);
  spearmanRows(x, 1, y, 1, s, o); // pairs: only the first name (1, 5)
  assert.ok(Number.isNaN(o.rho));
  assert.equal(o.n, 1);
  const c = sortRows(Float64Array.from([2, 2, 2, 2]), 1, 4);
  spearmanRows(x, 0, c, 0, s, o);
  assert.ok(Number.isNaN(o.rho), "constant side");
});
