/**
 * `combineFactorSignal` against hand-worked numbers (3 factors × 8 symbols, worked out below) and against a
 * second, straightforward implementation on random panels.
 */
import assert from "node:assert/strict";
import {
  combineFactorSignal,
  type MemberCrossSection,
  memberWeights,
} from "../../../domain/portfolios/combine_signal.ts";

const S = [
  "600001.SH",
  "600002.SH",
  "600003.SH",
  "600004.SH",
  "600005.SH",
  "600006.SH",
  "600007.SH",
  "600008.SH",
];
const [A, B, C, D, E, F, G, H] = S;
const ALL = new Set(S);

// F1 = 10 + [4, -2, -2, 1, 1, -1, -1, 0]: mean 10, SS 28, sample var 28/7 = 4, std 2
//   z1 = [2, -1, -1, 0.5, 0.5, -0.5, -0.5, 0]
// F2 = 5 + 3·[1, -1, 1, -1, 1, -1, 0] and H missing: mean 5, SS 54, var 54/6 = 9, std 3
//   z2 = [1, -1, 1, -1, 1, -1, 0, —]
// F3 = [0, 4, -2, -2, 1, 1, -1, -1]: mean 0, SS 28, var 4, std 2
//   z3 = [0, 2, -1, -1, 0.5, 0.5, -0.5, -0.5]
const F1: MemberCrossSection = {
  factor_id: "f1",
  symbols: S,
  values: [14, 8, 8, 11, 11, 9, 9, 10],
  ic_ir: 0.5,
};
const F2: MemberCrossSection = {
  factor_id: "f2",
  symbols: S,
  values: [8, 2, 8, 2, 8, 2, 5, NaN],
  ic_ir: -1.5,
};
const F3: MemberCrossSection = {
  factor_id: "f3",
  symbols: S,
  values: [0, 4, -2, -2, 1, 1, -1, -1],
  ic_ir: null,
};

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

Deno.test("equal weights: hand-worked scores, H dropped by the intersection, ties by symbol", () => {
  // Scores (z1 + z2 + z3) / 3: A 3/3 = 1; B 0/3 = 0; C −1/3; D −1.5/3 = −0.5; E 2/3; F −1/3; G −1/3.
  // Ranked: A 1, E 2/3, B 0, then C, F, G tied at −1/3 (symbol order), then D −0.5.
  const r = combineFactorSignal({ members: [F1, F2, F3], weighting: "equal", top_n: 5, eligible: ALL });
  assert.deepEqual(r.scores.map((s) => s.symbol), [A, E, B, C, F]);
  close(r.scores[0].score, 1);
  close(r.scores[1].score, 2 / 3);
  close(r.scores[2].score, 0);
  close(r.scores[3].score, -1 / 3);
  close(r.scores[4].score, -1 / 3);
  assert.deepEqual(r.signals.map((s) => s.weight), [0.2, 0.2, 0.2, 0.2, 0.2]);
  assert.equal(r.candidates, 7);
  assert.deepEqual(r.members.map((m) => m.weight), [1 / 3, 1 / 3, 1 / 3]);
  close(r.members[0].mean!, 10);
  close(r.members[0].std!, 2);
  close(r.members[1].mean!, 5);
  close(r.members[1].std!, 3);
  assert.equal(r.members[1].finite, 7);
  close(r.members[2].std!, 2);
  assert.deepEqual(r.notes, []);
});

Deno.test("fewer candidates than top_n: each still weighs 1/top_n and the rest is cash", () => {
  const r = combineFactorSignal({ members: [F1, F2, F3], weighting: "equal", top_n: 10, eligible: ALL });
  assert.deepEqual(r.signals.map((s) => s.symbol), [A, E, B, C, F, G, D]);
  assert.ok(r.signals.every((s) => s.weight === 0.1));
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0], /7 candidates for top_n 10.*30\.0% stays in cash/);
});

Deno.test("ic_weighted: |IC IR| / Σ|IC IR| with a missing IC IR counted as 0", () => {
  // Weights |0.5|, |−1.5|, 0 over 2 → 0.25, 0.75, 0. Scores 0.25·z1 + 0.75·z2:
  // A 1.25, B −1, C 0.5, D −0.625, E 0.875, F −0.875, G −0.125 → A, E, C, G, D.
  const r = combineFactorSignal({ members: [F1, F2, F3], weighting: "ic_weighted", top_n: 5, eligible: ALL });
  assert.deepEqual(r.members.map((m) => m.weight), [0.25, 0.75, 0]);
  assert.deepEqual(r.scores.map((s) => s.symbol), [A, E, C, G, D]);
  close(r.scores[0].score, 1.25);
  close(r.scores[1].score, 0.875);
  close(r.scores[2].score, 0.5);
  close(r.scores[3].score, -0.125);
  close(r.scores[4].score, -0.625);
});

Deno.test("ic_weighted with every IC IR zero or missing falls back to equal weights, noted", () => {
  const zero = [{ ...F1, ic_ir: 0 }, { ...F2, ic_ir: null }, { ...F3, ic_ir: 0 }];
  const r = combineFactorSignal({ members: zero, weighting: "ic_weighted", top_n: 5, eligible: ALL });
  assert.deepEqual(r.members.map((m) => m.weight), [1 / 3, 1 / 3, 1 / 3]);
  assert.deepEqual(r.scores.map((s) => s.symbol), [A, E, B, C, F]);
  assert.match(r.notes[0], /equal weights used/);
  assert.deepEqual(memberWeights([0.25, -0.75], "ic_weighted"), { weights: [0.25, 0.75], fellBack: false });
});

Deno.test("a constant member contributes 0 (its symbols still count for the intersection), noted", () => {
  const flat: MemberCrossSection = { factor_id: "flat", symbols: S, values: S.map(() => 7), ic_ir: 1 };
  // Scores (z1 + z2 + 0) / 3: A 1, B −2/3, C 0, D −1/6, E 0.5, F −0.5, G −1/6 → A, E, C, D, G (D < G by symbol).
  const r = combineFactorSignal({ members: [F1, F2, flat], weighting: "equal", top_n: 5, eligible: ALL });
  assert.deepEqual(r.scores.map((s) => s.symbol), [A, E, C, D, G]);
  close(r.scores[3].score, -1 / 6);
  assert.equal(r.members[2].constant, true);
  assert.equal(r.members[2].std, 0);
  assert.match(r.notes[0], /member flat has a constant cross-section \(8 values\)/);
});

Deno.test("the eligible set restricts candidates; missing or infinite values leave the intersection", () => {
  const noB = new Set(S.filter((s) => s !== B));
  const withInf: MemberCrossSection = {
    ...F3,
    values: [0, 4, -2, -2, 1, 1, -1, -1].map((v, i) => (i === 0 ? NaN : v)),
  };
  const r = combineFactorSignal({ members: [F1, F2, F3], weighting: "equal", top_n: 5, eligible: noB });
  assert.deepEqual(r.scores.map((s) => s.symbol), [A, E, C, F, G]);
  const r2 = combineFactorSignal({ members: [F1, F2, withInf], weighting: "equal", top_n: 5, eligible: ALL });
  assert.ok(!r2.scores.some((s) => s.symbol === A));
  assert.equal(r2.candidates, 6);
  const none = combineFactorSignal({ members: [], weighting: "equal", top_n: 5, eligible: ALL });
  assert.deepEqual(none.signals, []);
  assert.equal(H, S[7]);
});

/** A seeded PRNG (mulberry32) so the random panels are the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The algorithm written the plain way: per symbol, per member, from maps; sort by (−score, symbol). */
function straightforward(
  members: MemberCrossSection[],
  weighting: "equal" | "ic_weighted",
  topN: number,
  eligible: Set<string>,
): string[] {
  const maps = members.map((m) => {
    const map = new Map<string, number>();
    m.symbols.forEach((s, i) => {
      if (Number.isFinite(m.values[i])) map.set(s, m.values[i]);
    });
    return map;
  });
  const stats = maps.map((map) => {
    const xs = [...map.values()];
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    return { mean, sd };
  });
  let w = members.map(() => 1 / members.length);
  if (weighting === "ic_weighted") {
    const abs = members.map((m) => Math.abs(m.ic_ir ?? 0));
    const sum = abs.reduce((a, b) => a + b, 0);
    if (sum > 0) w = abs.map((a) => a / sum);
  }
  const out: { s: string; score: number }[] = [];
  for (const s of [...eligible].sort()) {
    if (!maps.every((m) => m.has(s))) continue;
    let score = 0;
    maps.forEach((m, i) => {
      const sd = stats[i].sd;
      score += w[i] * (sd > 0 ? (m.get(s)! - stats[i].mean) / sd : 0);
    });
    out.push({ s, score });
  }
  out.sort((a, b) => (Math.abs(a.score - b.score) < 1e-9 ? (a.s < b.s ? -1 : 1) : b.score - a.score));
  return out.slice(0, topN).map((o) => o.s);
}

Deno.test("matches a straightforward implementation on 200 random panels", () => {
  const rand = prng(15);
  const pool = Array.from({ length: 400 }, (_, i) => `${String(600000 + i).padStart(6, "0")}.SH`);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(rand() * 4);
    const members: MemberCrossSection[] = Array.from({ length: n }, (_, k) => {
      const symbols = pool.filter(() => rand() < 0.85);
      // Values on a coarse grid sometimes, so exact ties happen; some missing.
      const coarse = rand() < 0.3;
      const values = symbols.map(() =>
        rand() < 0.05 ? NaN : coarse ? Math.floor(rand() * 5) : rand() * 10 - 5
      );
      return { factor_id: `f${k}`, symbols, values, ic_ir: rand() < 0.2 ? null : rand() * 2 - 1 };
    });
    const eligible = new Set(pool.filter(() => rand() < 0.9));
    const weighting = rand() < 0.5 ? "equal" : "ic_weighted";
    const topN = 5 + Math.floor(rand() * 100);
    const got = combineFactorSignal({ members, weighting, top_n: topN, eligible });
    assert.deepEqual(got.signals.map((s) => s.symbol), straightforward(members, weighting, topN, eligible));
    assert.ok(got.signals.every((s) => s.weight === 1 / topN));
  }
});
