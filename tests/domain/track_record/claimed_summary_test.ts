import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { normaliseClaimed, summarizeClaimed } from "../../../domain/track_record/claimed_summary.ts";

const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

Deno.test("summarizeClaimed() matches hand-computed figures, whatever the record order", () => {
  // NAVs 100, 102, 100.98, 104.0094, 104.0094 → returns .02, −.01, .03, 0
  const records = [
    { date: "2024-03-05", nav: 104.0094 },
    { date: "2024-03-01", nav: 100 },
    { date: "2024-03-04", nav: 104.0094 },
    { date: "2024-03-02", nav: 102 },
    { date: "2024-03-03", nav: 100.98 },
  ];
  const s = summarizeClaimed(records);
  assert.equal(s.data_points, 5);
  assert.equal(s.start_date, "2024-03-01");
  assert.equal(s.end_date, "2024-03-05");
  // total = 104.0094 / 100 − 1 = 0.040094
  near(s.total_return, 0.040094);
  // mean .01; deviations .01, −.02, .02, −.01; SS = .001; var = .001 / 3;
  // sharpe = .01 / √(.001/3) × √252 = .01 × √756000 = 8.6948260477…
  near(s.sharpe, 8.694826047713663, 1e-10);
  // peak 102, trough 100.98: 1 − 100.98 / 102 = 0.01
  near(s.max_drawdown, 0.01);
});

Deno.test("summarizeClaimed() of no records or one record has no returns", () => {
  assert.deepEqual(summarizeClaimed([]), {
    data_points: 0,
    start_date: null,
    end_date: null,
    total_return: null,
    sharpe: null,
    max_drawdown: null,
  });
  assert.deepEqual(summarizeClaimed([{ date: "2024-01-02", nav: 5 }]), {
    data_points: 1,
    start_date: "2024-01-02",
    end_date: "2024-01-02",
    total_return: null,
    sharpe: null,
    max_drawdown: null,
  });
});

Deno.test("summarizeClaimed() returns a null Sharpe for one return or zero variance", () => {
  const two = summarizeClaimed([{ date: "2024-01-02", nav: 100 }, { date: "2024-01-03", nav: 90 }]);
  near(two.total_return, -0.1);
  near(two.max_drawdown, 0.1);
  assert.equal(two.sharpe, null, "one return has no sample standard deviation");
  const flat = summarizeClaimed(["01", "02", "03", "04"].map((d) => ({ date: `2024-01-${d}`, nav: 7 })));
  assert.equal(flat.sharpe, null);
  assert.equal(flat.total_return, 0);
  assert.equal(flat.max_drawdown, 0);
});

Deno.test("summarizeClaimed() rejects repeated dates and non-positive NAVs", () => {
  assert.throws(
    () => summarizeClaimed([{ date: "2024-01-02", nav: 1 }, { date: "2024-01-02", nav: 2 }]),
    ValidationError,
  );
  assert.throws(() => summarizeClaimed([{ date: "2024-01-02", nav: -1 }]), ValidationError);
});

Deno.test("normaliseClaimed() normalises to 1.0 at the first record, with hand-computed returns", () => {
  // NAVs 2_000_000, 2_040_000, 2_019_600 (in any order); benchmark closes 4000, 4100, unknown
  const closes: Record<string, number | null> = {
    "2024-03-01": 4000,
    "2024-03-04": 4100,
    "2024-03-05": null,
  };
  const points = normaliseClaimed([
    { date: "2024-03-05", nav: 2_019_600 },
    { date: "2024-03-01", nav: 2_000_000 },
    { date: "2024-03-04", nav: 2_040_000 },
  ], (d) => closes[d]);
  assert.deepEqual(points.map((p) => p.date), ["2024-03-01", "2024-03-04", "2024-03-05"]);
  assert.deepEqual(points[0], {
    date: "2024-03-01",
    nav: 1,
    nav_value: 2_000_000,
    daily_return: 0,
    cumulative_return: 0,
    drawdown: 0,
    benchmark_return: 0,
  });
  assert.equal(points[1].drawdown, 0, "a new peak");
  // 2_040_000 / 2_000_000 = 1.02; benchmark 4100 / 4000 − 1 = .025
  near(points[1].nav, 1.02);
  near(points[1].daily_return, 0.02);
  near(points[1].cumulative_return, 0.02);
  near(points[1].benchmark_return, 0.025);
  // 2_019_600 / 2_040_000 − 1 = −.01; 2_019_600 / 2_000_000 = 1.0098; no benchmark close → null
  near(points[2].nav, 1.0098);
  near(points[2].daily_return, -0.01);
  near(points[2].cumulative_return, 0.0098);
  // below the peak 1.02: 1 − 1.0098 / 1.02 = .01
  near(points[2].drawdown, 0.01);
  assert.equal(points[2].benchmark_return, null);
  // no close on the first date: its benchmark return is unknown too
  assert.equal(normaliseClaimed([{ date: "2024-03-05", nav: 1 }], () => null)[0].benchmark_return, null);
});
