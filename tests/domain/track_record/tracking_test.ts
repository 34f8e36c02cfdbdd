import assert from "node:assert/strict";
import { addDays } from "../../../domain/calendar/dates.ts";
import { ValidationError } from "../../../domain/errors.ts";
import type { NavPoint } from "../../../domain/track_record/performance.ts";
import {
  classifyTracking,
  compareTracking,
  CONSISTENT_MAX_TRACKING_ERROR,
  CONSISTENT_MIN_CORRELATION,
  MIN_TRACKING_OVERLAP_DAYS,
  MODERATE_MAX_TRACKING_ERROR,
  MODERATE_MIN_CORRELATION,
  pearsonCorrelation,
} from "../../../domain/track_record/tracking.ts";

const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

const date = (i: number) => addDays("2024-01-01", i);

/** NAVs from 100 compounding `returns`, dated 2024-01-01 on (the starting 100 is the first point). */
function fromReturns(returns: number[], dates = returns.map((_, i) => date(i + 1))): NavPoint[] {
  const out: NavPoint[] = [{ date: date(0), nav: 100 }];
  let nav = 100;
  returns.forEach((r, i) => out.push({ date: dates[i], nav: nav *= 1 + r }));
  return out;
}

const P = [0.01, -0.02, 0.03, 0.0, 0.01];

Deno.test("compareTracking() of identical series: TE 0, correlation 1, consistent", () => {
  const platform = fromReturns(P);
  const t = compareTracking(platform, platform.map((p) => ({ ...p })))!;
  assert.equal(t.overlap_days, 6);
  assert.equal(t.tracking_difference, 0);
  assert.equal(t.tracking_error, 0);
  near(t.correlation, 1);
  assert.equal(t.verdict, "consistent");
});

Deno.test("compareTracking() matches a hand-computed comparison on the overlap dates only", () => {
  // platform p = [.01, −.02, .03, 0, .01]; claimed c = p + d, d = [.001, .002, −.001, 0, .003]
  const d = [0.001, 0.002, -0.001, 0.0, 0.003];
  const everyOtherDay = P.map((_, i) => date(2 * i + 2)); // 2024-01-03, -05, -07, -09, -11
  const platform = fromReturns(P, everyOtherDay);
  const claimed = fromReturns(P.map((p, i) => p + d[i]), everyOtherDay);
  // only common dates count: the claim adds a date between two common dates (2024-01-03 and 2024-01-05 here,
  // with a wild NAV) and one before the start, the platform one after the end; the claim comes newest first
  const t = compareTracking(
    [{ date: "2023-12-31", nav: 3 }, ...claimed, { date: "2024-01-04", nav: 1000 }].reverse(),
    [...platform, { date: "2024-01-30", nav: 50 }],
  )!;
  assert.equal(t.overlap_days, 6);
  // mean d = .005 / 5 = .001 → tracking difference = .001 × 252 = .252
  near(t.tracking_difference, 0.252, 1e-10);
  // deviations 0, .001, −.002, −.001, .002: SS = 1e-5; var = 2.5e-6; TE = √(2.5e-6 × 252) = √6.3e-4 = .02509980…
  near(t.tracking_error, 0.025099800796022267, 1e-9);
  // the QuantGPT document's names carry the same figures
  assert.equal(t.tracking_diff_annualized, t.tracking_difference);
  assert.equal(t.tracking_error_annualized, t.tracking_error);
  // p: mean .006, deviations .004, −.026, .024, −.006, .004 → Spp = 1.32e-3
  // c = [.011, −.018, .029, 0, .013]: mean .007, deviations .004, −.025, .022, −.007, .006 → Scc = 1.21e-3
  // Spc = 1.6e-5 + 6.5e-4 + 5.28e-4 + 4.2e-5 + 2.4e-5 = 1.26e-3
  // corr = 1.26e-3 / √(1.32e-3 × 1.21e-3) = 1.26 / (1.1 × √1.32) = .99699021…
  near(t.correlation, 0.9969902113826331, 1e-9);
  // TE ≥ .02 but correlation > .85
  assert.equal(t.verdict, "moderate_divergence");
});

Deno.test("compareTracking() of a claimed record lagged one day behind the platform diverges significantly", () => {
  // platform p = [.01, −.02, .03, 0, .01, −.03] (sum 0, mean 0); the claim reports each move a day late:
  // c = [0, .01, −.02, .03, 0, .01] (mean .005)
  const p = [0.01, -0.02, 0.03, 0.0, 0.01, -0.03];
  const c = [0, ...p.slice(0, -1)];
  const t = compareTracking(fromReturns(c), fromReturns(p))!;
  assert.equal(t.overlap_days, 7);
  // diff = c − p = [−.01, .03, −.05, .03, −.01, .04]: mean .005 → TD = .005 × 252 = 1.26
  near(t.tracking_difference, 1.26, 1e-10);
  // deviations −.015, .025, −.055, .025, −.015, .035: SS = 5.95e-3; var = 1.19e-3;
  // TE = √(1.19e-3 × 252) = √.29988 = .54761300…
  near(t.tracking_error, 0.5476130020370225, 1e-9);
  // Spc = Σ p·c (as Σp = 0) = −.0002 − .0006 − .0003 = −.0011; Spp = 2.4e-3;
  // Scc = Σc² − 6 × .005² = 1.5e-3 − 1.5e-4 = 1.35e-3; corr = −.0011 / √3.24e-6 = −.0011 / .0018 = −.61111…
  near(t.correlation, -0.0011 / 0.0018, 1e-9);
  assert.equal(t.verdict, "significant_divergence");
});

Deno.test("compareTracking() of a claim that adds 0.1 % every day: TD .252, TE ≈ 0, consistent", () => {
  const t = compareTracking(fromReturns(P.map((p) => p + 0.001)), fromReturns(P))!;
  // diff = .001 every day → TD = .001 × 252 = .252; sd of a constant is 0 (up to rounding of the NAVs)
  near(t.tracking_difference, 0.252, 1e-10);
  assert.ok(t.tracking_error !== null && t.tracking_error < 1e-12, `${t.tracking_error}`);
  // c = p + constant has correlation 1 with p
  near(t.correlation, 1, 1e-12);
  assert.equal(t.verdict, "consistent");
});

Deno.test("compareTracking() needs 5 overlap dates (4 return pairs), else null", async (t) => {
  assert.equal(MIN_TRACKING_OVERLAP_DAYS, 5);
  const platform = fromReturns([0.01, -0.01, 0.02, 0.01, 0.0]);
  await t.step("4 common dates → null", () => {
    assert.equal(compareTracking(platform.slice(0, 4), platform), null);
    assert.equal(compareTracking(platform, platform.slice(2)), null);
  });
  await t.step("no common dates → null", () => assert.equal(compareTracking([], platform), null));
  await t.step("5 common dates → a comparison", () => {
    const r = compareTracking(platform.slice(1), platform)!;
    assert.equal(r.overlap_days, 5);
    assert.equal(r.tracking_error, 0);
  });
});

Deno.test("compareTracking() returns a null correlation for zero variance", async (t) => {
  const flat = fromReturns([0, 0, 0, 0]);
  await t.step("flat platform, moving claim", () => {
    const r = compareTracking(fromReturns([0.01, -0.01, 0.01, -0.01]), flat)!;
    assert.equal(r.correlation, null);
    // diff = [.01, −.01, .01, −.01]: mean 0; SS = 4e-4; var = 4e-4 / 3; TE = √(4e-4 / 3 × 252) = √.0336
    near(r.tracking_error, Math.sqrt(0.0336), 1e-10);
    near(r.tracking_difference, 0, 1e-12);
    assert.equal(r.verdict, "significant_divergence");
  });
  await t.step("both flat: TE 0 but no correlation, so not consistent", () => {
    const r = compareTracking(flat, flat)!;
    assert.equal(r.correlation, null);
    assert.equal(r.tracking_error, 0);
    assert.equal(r.verdict, "moderate_divergence");
  });
  await t.step("pearsonCorrelation() of a constant series", () => {
    assert.equal(pearsonCorrelation([0.01, 0.01, 0.01], [0.01, 0.02, 0.03]), null);
    assert.equal(pearsonCorrelation([1], [2]), null);
    // y = −2x: correlation −1
    near(pearsonCorrelation([1, 2, 4], [-2, -4, -8]), -1);
  });
});

Deno.test("classifyTracking() verdict boundaries", async (t) => {
  assert.equal(CONSISTENT_MAX_TRACKING_ERROR, 0.02);
  assert.equal(CONSISTENT_MIN_CORRELATION, 0.95);
  assert.equal(MODERATE_MAX_TRACKING_ERROR, 0.05);
  assert.equal(MODERATE_MIN_CORRELATION, 0.85);
  const table: [number | null, number | null, string][] = [
    [0, 1, "consistent"],
    [0.0199, 0.951, "consistent"],
    [0.02, 0.99, "moderate_divergence"], // TE not < .02; TE < .05
    [0.01, 0.95, "moderate_divergence"], // correlation not > .95
    [0.0499, 0, "moderate_divergence"], // TE < .05 alone
    [0.05, 0.851, "moderate_divergence"], // correlation > .85 alone
    [0.05, 0.85, "significant_divergence"], // both fail, at the boundaries
    [0.3, -0.5, "significant_divergence"],
    [null, 0.99, "moderate_divergence"], // null TE fails; correlation > .85
    [0.01, null, "moderate_divergence"], // null correlation fails; TE < .05
    [null, 0.5, "significant_divergence"],
    [0.06, null, "significant_divergence"],
    [null, null, "significant_divergence"],
  ];
  for (const [te, corr, verdict] of table) {
    await t.step(`TE ${te}, correlation ${corr} → ${verdict}`, () => {
      assert.equal(classifyTracking(te, corr), verdict);
    });
  }
});

Deno.test("compareTracking() rejects repeated dates and non-positive NAVs", () => {
  const platform = fromReturns(P);
  assert.throws(() => compareTracking([...platform, platform[0]], platform), ValidationError);
  assert.throws(() => compareTracking(platform, [...platform, { date: date(9), nav: 0 }]), ValidationError);
});
