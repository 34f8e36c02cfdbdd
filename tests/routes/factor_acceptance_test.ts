/**
 * Issue 15 acceptance on the synthetic hs300 market (which plants a 20-day reversal in A-shares): the document's
 * factor workflow with a reversal factor computed here from the platform's bars (→ active), seeded noise
 * (→ rejected), and a formula factor whose values, read back and uploaded to a plain factor, give the same
 * statistics.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";
import {
  CORRELATIONS_EXAMPLE,
  FACTOR_EXAMPLE,
  IC_SERIES_EXAMPLE,
  SERIES_EXAMPLE,
  UPLOAD_EXAMPLE,
  VALUES_STATUS_EXAMPLE,
} from "../_helpers/quantgpt_factor_examples.ts";

const F = "/api/v1/factors";
const DAYS = 250;
const BATCH = 100;
/** The last completed SSE trading day at the test clock (2026-05-14 09:00 CST). */
const END = "2026-05-13";

/** The document's examples ("Alpha Factor Library"), as a client written from it reads the answers. */
const DOC = {
  created: FACTOR_EXAMPLE,
  upload: UPLOAD_EXAMPLE,
  status: VALUES_STATUS_EXAMPLE,
  detailSeries: SERIES_EXAMPLE,
  correlations: CORRELATIONS_EXAMPLE,
  icSeries: IC_SERIES_EXAMPLE,
};

async function user(w: TestWorld, email: string) {
  return (await signInWithOtp(w, email)).access_token;
}

async function uploadAll(w: TestWorld, token: string, id: string, data: { date: string; values: object }[]) {
  for (let k = 0; k < data.length; k += BATCH) {
    const res = await w.request("POST", `${F}/${id}/values`, {
      token,
      json: { data: data.slice(k, k + BATCH) },
    });
    assert.equal(res.status, 200, await res.clone().text());
  }
}

/** −(close_t / close_{t−20} − 1) on adjusted closes, for the last `DAYS` trading days through END. */
async function reversalValues(w: TestWorld): Promise<{ date: string; values: Record<string, number> }[]> {
  const sse = getCalendar("SSE");
  const dates = sse.tradingDaysBetween("2024-01-01", END).slice(-DAYS);
  const from = sse.tradingDayOffset(dates[0], -40);
  const rows = dates.map((date) => ({ date, values: {} as Record<string, number> }));
  for (const symbol of await w.deps.market.data.getUniverse("hs300")) {
    const bars = await w.deps.market.data.getBars(symbol, from, END);
    if (!bars) continue;
    const byDay = new Map<string, number>();
    const all = sse.tradingDaysBetween(from, END);
    const dayIndex = new Map(all.map((d, i) => [d, i]));
    for (let i = 0; i < bars.days.length; i++) {
      const d = new Date(bars.days[i] * 86_400_000).toISOString().slice(0, 10);
      byDay.set(d, bars.close[i] * bars.adj_factor[i]);
    }
    for (const row of rows) {
      const i = dayIndex.get(row.date)!;
      const now = byDay.get(row.date), then = byDay.get(all[i - 20]);
      if (now !== undefined && then !== undefined && now > 0 && then > 0) {
        row.values[symbol] = -(now / then - 1);
      }
    }
  }
  return rows;
}

Deno.test({
  name: "acceptance: the document's workflow — a planted 20-day reversal validates active, noise is rejected",
  sanitizeResources: false,
  fn: async () => {
    const w = await openTestWorld();
    try {
      const a = await user(w, "researcher@example.com");
      const created = await w.request("POST", F, {
        token: a,
        json: {
          name: "reversal_20d",
          universe: "hs300",
          expression: "-(close / delay(close, 20) - 1)",
          claimed_ic_mean: 0.03,
          claimed_ic_ir: 0.5,
        },
      });
      assert.equal(created.status, 201);
      const factor = await created.json();
      assertDocumentShape(factor, DOC.created, { nullAs: { ic_mean: ["number"], ic_ir: ["number"] } });
      const values = await reversalValues(w);
      await uploadAll(w, a, factor.id, values.slice(0, DAYS - 2));
      const lastTwo = await w.request("POST", `${F}/${factor.id}/values`, {
        token: a,
        json: { data: values.slice(DAYS - 2) },
      });
      assertDocumentShape(await lastTwo.json(), DOC.upload);

      const status = await (await w.request("GET", `${F}/${factor.id}/values/status`, { token: a })).json();
      assert.deepEqual([status.total_days, status.ready, status.end_date], [DAYS, true, END]);
      assertDocumentShape(status, DOC.status);

      const submitted = await w.request("POST", `${F}/${factor.id}/submit`, { token: a });
      assert.equal(submitted.status, 200);
      const result = await submitted.json();
      assert.equal(result.status, "active", JSON.stringify(result.checks));
      assert.ok(result.is.ic_mean > 0.015 && result.is.ic_ir > 0.15, JSON.stringify(result.is));
      assert.equal(result.is.data_days, DAYS);
      assert.equal(result.is.max_correlation, null);
      assert.equal(result.checks.length, 5);
      assert.ok(result.checks.every((c: { passed: boolean }) => c.passed));
      assert.equal(result.reject_reason, null);
      assert.ok(result.ic_series.length >= DAYS - 3);
      assert.ok(result.ls_cumulative_returns.length > 0);
      assert.equal(typeof result.conventions.turnover, "string");
      // The submit answer: "full factor object with is metrics, checks, status, plus the three series".
      assertDocumentShape(result, {
        ...DOC.created,
        ...DOC.detailSeries,
        is: {
          ic_mean: 0.04,
          ic_ir: 0.5,
          turnover: 0.2,
          sharpe: 1.5,
          fitness: 1.1,
          ic_decay: [0.04],
          coverage: 0.99,
          data_days: 250,
          max_correlation: null,
        },
        checks: [{ name: "IC_MEAN", threshold: 0.015, passed: true }],
        submitted_at: "...",
        validated_at: "...",
      });
      assert.ok(result.validated_at && result.submitted_at);

      const poll = await (await w.request("GET", `${F}/${factor.id}/submit`, { token: a })).json();
      assert.deepEqual([poll.status, poll.validated_at, poll.checks], [
        "active",
        result.validated_at,
        result.checks,
      ]);

      // Noise (seeded) on the same dates and names: rejected, with a reason naming the failed checks.
      let seed = 12345;
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const noise = values.map((r) => ({
        date: r.date,
        values: Object.fromEntries(Object.keys(r.values).map((s) => [s, rnd()])),
      }));
      const n = await (await w.request("POST", F, { token: a, json: { name: "noise", universe: "hs300" } }))
        .json();
      await uploadAll(w, a, n.id, noise);
      const nr = await (await w.request("POST", `${F}/${n.id}/submit`, { token: a })).json();
      assert.equal(nr.status, "rejected", JSON.stringify(nr.is));
      assert.match(nr.reject_reason, /IC_MEAN: abs\(ic_mean\) = [0-9.e-]+, needs > 0\.015/);
      assert.ok(Math.abs(nr.is.max_correlation) < 0.7);
      const again = await w.request("POST", `${F}/${n.id}/submit`, { token: a });
      assert.equal(again.status, 400);

      // Correlations: the noise factor against the owner's active reversal factor.
      const corr = await (await w.request("GET", `${F}/${n.id}/correlations`, { token: a })).json();
      assert.equal(corr.correlations.length, 1);
      assertDocumentShape(corr, DOC.correlations);
      assert.equal(corr.correlations[0].factor_id, factor.id);
      assert.equal(corr.correlations[0].name, "reversal_20d");
      assert.ok(Math.abs(Math.abs(corr.correlations[0].correlation) - nr.is.max_correlation) < 1e-12);
      const self = await (await w.request("GET", `${F}/${factor.id}/correlations`, { token: a })).json();
      assert.deepEqual(self, { correlations: [] });

      // Chart data and the IC series are what validation stored.
      const chart = await (await w.request("GET", `${F}/${factor.id}/chart-data`, { token: a })).json();
      assert.deepEqual(chart.ic_series, result.ic_series);
      assert.deepEqual(chart.ls_cumulative_returns, result.ls_cumulative_returns);
      assert.deepEqual(chart.yearly_stats, result.yearly_stats);
      const ic = await (await w.request("GET", `${F}/${factor.id}/ic-series`, { token: a })).json();
      assert.deepEqual(ic.records, result.ic_series);
      assertDocumentShape(ic, DOC.icSeries);
      assertDocumentShape(chart, DOC.detailSeries);
      const detail = await (await w.request("GET", `${F}/${factor.id}`, { token: a })).json();
      assert.deepEqual(detail, result);
      const list = await (await w.request("GET", `${F}?status=active`, { token: a })).json();
      assert.deepEqual(list.factors.map((f: { id: string }) => f.id), [factor.id]);
      const byIc = await (await w.request("GET", `${F}?order=ic_mean`, { token: a })).json();
      assert.equal(byIc.factors[0].id, factor.id);
      // Active factors are locked.
      assert.equal((await w.request("DELETE", `${F}/${factor.id}`, { token: a })).status, 400);
      assert.equal((await w.request("POST", `${F}/${factor.id}/submit`, { token: a })).status, 400);
    } finally {
      await w.close();
    }
  },
});

Deno.test({
  name: "acceptance: a formula factor and the same values uploaded give identical statistics",
  sanitizeResources: false,
  fn: async () => {
    const w = await openTestWorld();
    try {
      const a = await user(w, "formula@example.com");
      const b = await user(w, "copy@example.com");
      const created = await w.request("POST", F, {
        token: a,
        json: {
          name: "rev_formula",
          universe: "hs300",
          values_source: "formula",
          expression: "-(close / delay(close, 20) - 1)",
          history_days: DAYS,
        },
      });
      assert.equal(created.status, 201, await created.clone().text());
      const ff = await created.json();
      assert.deepEqual([ff.status, ff.values.total_days, ff.values.end_date], ["ready", DAYS, END]);

      // Read the computed values back page by page and upload them to a plain factor of another user.
      const copied: { date: string; values: Record<string, number> }[] = [];
      let start: string | null = ff.values.start_date;
      while (start) {
        const page = await (await w.request("GET", `${F}/${ff.id}/values?start=${start}`, { token: a }))
          .json();
        copied.push(...page.dates);
        start = page.next_start;
      }
      assert.equal(copied.length, DAYS);
      const up =
        await (await w.request("POST", F, { token: b, json: { name: "rev_upload", universe: "hs300" } }))
          .json();
      await uploadAll(w, b, up.id, copied);
      const refused = await w.request("POST", `${F}/${ff.id}/values`, {
        token: a,
        json: { data: copied.slice(0, 1) },
      });
      assert.equal(refused.status, 409);

      const fr = await (await w.request("POST", `${F}/${ff.id}/submit`, { token: a })).json();
      const ur = await (await w.request("POST", `${F}/${up.id}/submit`, { token: b })).json();
      assert.equal(fr.status, "active", JSON.stringify(fr.checks));
      assert.deepEqual(fr.is, ur.is);
      assert.deepEqual(fr.checks, ur.checks);
      assert.deepEqual(fr.yearly_stats, ur.yearly_stats);
      assert.deepEqual(fr.ic_series, ur.ic_series);

      const bad = await w.request("POST", F, {
        token: a,
        json: { name: "bad", universe: "hs300", values_source: "formula", expression: "rank(close, )" },
      });
      assert.equal(bad.status, 422);
      const detail = (await bad.json()).detail[0];
      assert.deepEqual(detail.loc, ["body", "expression"]);
      assert.match(detail.msg, /position \d+/);
      const patch = await w.request("PATCH", `${F}/${ff.id}`, {
        token: a,
        json: { expression: "rank(close)" },
      });
      assert.equal(patch.status, 400);
    } finally {
      await w.close();
    }
  },
});
