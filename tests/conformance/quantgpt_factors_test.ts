/**
 * Conformance with the QuantGPT Cloud guide's "Alpha Factor Library" section (the product document
 * `002_ff083b1df4fa4df6.txt`, version 0.5.0), the factor pseudocode of its "Recommended Workflow" and the factor
 * rows of its "Idempotency & Retry Safety" table: every request example replayed as written, at the paths
 * written under /api/v1, and every documented response field asserted by name and JSON type (the document's
 * example JSON is copied below and walked by `assertDocumentShape`).
 *
 * The factor values a researcher uploads are computed here from the platform's public bars, as a client would
 * compute them locally: the planted 20-day reversal and book-to-price of the synthetic market on hs300
 * (`tests/_helpers/planted_factor_values.ts`), which validate `active`.
 *
 * Where the document is silent, Quantedge's choices (README compatibility table): the list answers
 * `{factors, total}`; `?order=ic_mean|ic_ir` sorts by the signed value, highest first, never-validated factors
 * last; every lifecycle refusal (PATCH/DELETE of an active factor, submit when not ready) is 400 with a string
 * `detail`; an upload of in-sample dates to an active factor is 422 at each date; the upload answer is 200.
 */
import assert from "node:assert/strict";
import { assertDocumentShape, type DocumentShapeOptions } from "../_helpers/document_shape.ts";
import { guideAccount, type GuideClient, withGuideWorld } from "../_helpers/quantgpt_client.ts";
import {
  chunked,
  reversalEntries,
  type UploadEntry,
  valueEntries,
} from "../_helpers/planted_factor_values.ts";
import type { MarketData, UniverseName } from "../../domain/market/types.ts";
import type { TestWorld } from "../_helpers/test_app.ts";
import { CRON_JOBS } from "../../jobs/cron.ts";
import {
  CHART_DATA_EXAMPLE,
  CHECKS_TABLE,
  CORRELATIONS_EXAMPLE,
  CREATE_FACTOR_BODY,
  FACTOR_EXAMPLE,
  IC_SERIES_EXAMPLE,
  POLL_EXAMPLE,
  SERIES_EXAMPLE,
  UPLOAD_BODY,
  UPLOAD_EXAMPLE,
  VALUES_STATUS_EXAMPLE,
} from "../_helpers/quantgpt_factor_examples.ts";

// ------------------------------------------------------------------ the document's examples, as written

/** Where the example shows `null`, the type a validated (or tracked) factor shows instead. */
const FACTOR_SHAPE: DocumentShapeOptions = {
  nullAs: {
    ic_mean: ["number"],
    ic_ir: ["number"],
    turnover: ["number"],
    sharpe: ["number"],
    fitness: ["number"],
    ic_decay: ["array"],
    coverage: ["number"],
    data_days: ["number"],
    max_correlation: ["number"],
    ic_mean_30d: ["number"],
    ic_mean_60d: ["number"],
    ic_mean_120d: ["number"],
    checks: ["array"],
    yearly_stats: ["array"],
  },
  nullable: [
    // A factor created without claims shows them as null, without an expression `expression: null`.
    "$.claimed.ic_mean",
    "$.claimed.ic_ir",
    "$.expression",
    // A calendar year the validation panel reaches only through forward returns (the two trading days after
    // the last factor date) is listed with `days: 0` and null statistics; `assertYears` checks the others.
    ...["ic_mean", "ic_ir", "returns", "drawdown", "turnover"].map((k) => `$.yearly_stats[].${k}`),
  ],
};

/** Every `yearly_stats` row with days has the document's types throughout (no null). */
function assertYears(years: { days: number }[]) {
  assert.ok(years.some((y) => y.days > 0));
  for (const y of years.filter((y) => y.days > 0)) assertDocumentShape(y, SERIES_EXAMPLE.yearly_stats[0]);
}

const assertFactor = (actual: unknown) => assertDocumentShape(actual, FACTOR_EXAMPLE, FACTOR_SHAPE);
const assertShape = (actual: unknown, example: unknown) => assertDocumentShape(actual, example, FACTOR_SHAPE);
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// ------------------------------------------------------------------ the researcher's local data

const cache = new Map<string, Promise<UploadEntry[]>>();
/** The planted reversal or book-to-price of `universe`, computed once per process (the market is deterministic). */
function planted(market: MarketData, kind: "reversal" | "value", universe: UniverseName = "hs300") {
  const key = `${kind}:${universe}`;
  if (!cache.has(key)) {
    cache.set(key, kind === "reversal" ? reversalEntries(market, universe) : valueEntries(market, universe));
  }
  return cache.get(key)!;
}

/** Uploads `entries` in batches of at most 500 dates (the pseudocode's `chunked(factor_data, 500)`). */
async function uploadAll(c: GuideClient, id: string, entries: UploadEntry[], batch = 500) {
  let last: Record<string, unknown> = {};
  for (const data of chunked(entries, batch)) {
    const res = await c.call("POST", `/api/v1/factors/${id}/values`, { data });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    assertShape(res.body, UPLOAD_EXAMPLE);
    last = res.body;
  }
  return last;
}

/** Creates an hs300 factor with `entries` uploaded and submits it; answers the submit answer. */
async function activeFactor(c: GuideClient, name: string, entries: UploadEntry[]) {
  const created = await c.call("POST", "/api/v1/factors", { name, universe: "hs300" });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await uploadAll(c, created.body.id, entries);
  const submitted = await c.call("POST", `/api/v1/factors/${created.body.id}/submit`);
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body).slice(0, 500));
  assert.equal(submitted.body.status, "active", JSON.stringify(submitted.body.checks));
  return submitted.body;
}

const expectRefusal = (res: { status: number; body: Record<string, unknown> }, why: string) => {
  assert.equal(res.status, 400, `${why}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.detail, "string", why);
};

const market = (w: TestWorld) => w.deps.market.data;

// ------------------------------------------------------------------ the section, in order

Deno.test("QuantGPT Alpha Factor Library: create → upload → status → submit → poll → detail → correlations → series", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);

    // Create Factor.
    const created = await c.call("POST", "/api/v1/factors", CREATE_FACTOR_BODY);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertFactor(created.body);
    const f = created.body;
    assert.deepEqual(
      [f.name, f.universe, f.status, f.expression, f.claimed],
      ["momentum_20d", "hs300", "draft", "rank(ts_mean(close, 20))", { ic_mean: 0.035, ic_ir: 0.68 }],
    );
    for (const k of Object.keys(FACTOR_EXAMPLE.is)) assert.equal(f.is[k], null, `is.${k} before validation`);
    for (const k of Object.keys(FACTOR_EXAMPLE.os)) assert.equal(f.os[k], null, `os.${k} before tracking`);
    assert.deepEqual(
      [f.checks, f.reject_reason, f.yearly_stats, f.submitted_at, f.validated_at],
      [null, null, null, null, null],
    );
    assert.match(f.created_at, ISO_INSTANT);
    const id: string = f.id;

    // Upload Factor Values: the document's body.
    const up = await c.call("POST", `/api/v1/factors/${id}/values`, UPLOAD_BODY);
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assertShape(up.body, UPLOAD_EXAMPLE);
    assert.deepEqual([up.body.uploaded, up.body.total_days, up.body.status], [2, 2, "draft"]);

    // Check Upload Progress.
    const st = await c.call("GET", `/api/v1/factors/${id}/values/status`);
    assert.equal(st.status, 200);
    assertShape(st.body, VALUES_STATUS_EXAMPLE);
    assert.deepEqual(st.body, {
      total_days: 2,
      min_required: 120,
      ready: false,
      start_date: "2025-01-02",
      end_date: "2025-01-03",
    });

    // Submit requires status == "ready".
    expectRefusal(await c.call("POST", `/api/v1/factors/${id}/submit`), "submit a draft factor");

    // The rest of the data, in batches; at >= 120 trading days the factor is ready.
    const reversal = await planted(market(w), "reversal");
    const last = await uploadAll(c, id, reversal, 100);
    assert.deepEqual([last.total_days, last.status], [reversal.length + 2, "ready"]);
    const ready = await c.call("GET", `/api/v1/factors/${id}/values/status`);
    assert.deepEqual(ready.body, {
      total_days: reversal.length + 2,
      min_required: 120,
      ready: true,
      start_date: "2025-01-02",
      end_date: "2025-12-31",
    });

    // Submit for Validation: the full factor object with `is`, `checks`, `status`, and the three series.
    const sub = await c.call("POST", `/api/v1/factors/${id}/submit`);
    assert.equal(sub.status, 200, JSON.stringify(sub.body).slice(0, 500));
    assertFactor(sub.body);
    assertShape(sub.body, SERIES_EXAMPLE);
    assert.equal(sub.body.status, "active", JSON.stringify(sub.body.checks));
    for (const k of ["ic_mean", "ic_ir", "turnover", "sharpe", "fitness", "coverage", "data_days"]) {
      assert.equal(typeof sub.body.is[k], "number", `is.${k} after validation`);
    }
    assert.equal(sub.body.is.ic_decay.length, 5, "IC decay for lags 1-5");
    assert.equal(sub.body.is.data_days, reversal.length + 2);
    assert.ok(sub.body.is.ic_mean > 0.015 && sub.body.is.turnover < 0.35);
    assert.deepEqual(
      sub.body.checks.map((k: Record<string, unknown>) => ({
        name: k.name,
        metric: k.metric,
        threshold: k.threshold,
      })),
      CHECKS_TABLE,
    );
    for (const k of sub.body.checks) {
      assertShape(k, CHECKS_TABLE[0]);
      assert.equal(k.passed, true, k.name);
    }
    assert.equal(sub.body.reject_reason, null);
    assert.match(sub.body.submitted_at, ISO_INSTANT);
    assert.match(sub.body.validated_at, ISO_INSTANT);
    assert.ok(sub.body.ic_series.length > 100);
    assert.ok(sub.body.yearly_stats.some((y: { year: number }) => y.year === 2025));
    assertYears(sub.body.yearly_stats);

    // Poll Validation Status.
    const poll = await c.call("GET", `/api/v1/factors/${id}/submit`);
    assert.equal(poll.status, 200);
    assertShape(poll.body, POLL_EXAMPLE);
    assert.deepEqual(
      [poll.body.status, poll.body.checks, poll.body.validated_at],
      [sub.body.status, sub.body.checks, sub.body.validated_at],
    );

    // Detail (includes ic_series, ls_cumulative_returns) with `os` for out-of-sample tracking.
    const detail = await c.call("GET", `/api/v1/factors/${id}`);
    assert.equal(detail.status, 200);
    assertFactor(detail.body);
    assertShape(detail.body, SERIES_EXAMPLE);
    assert.deepEqual(detail.body.ic_series, sub.body.ic_series);
    assert.deepEqual(detail.body.ls_cumulative_returns, sub.body.ls_cumulative_returns);
    assert.deepEqual(detail.body.yearly_stats, sub.body.yearly_stats);

    // A second active factor (book-to-price), then View Correlations.
    const value = await activeFactor(c, "value_factor", await planted(market(w), "value"));
    assert.ok(Math.abs(value.is.max_correlation) < 0.7, "checked against the active momentum_20d");
    const corr = await c.call("GET", `/api/v1/factors/${id}/correlations`);
    assert.equal(corr.status, 200);
    assertShape(corr.body, CORRELATIONS_EXAMPLE);
    assert.deepEqual(corr.body.correlations.map((x: { factor_id: string }) => x.factor_id), [value.id]);
    assert.equal(corr.body.correlations[0].name, "value_factor");
    assert.ok(Math.abs(Math.abs(corr.body.correlations[0].correlation) - value.is.max_correlation) < 1e-9);
    const abs = corr.body.correlations.map((x: { correlation: number | null }) =>
      Math.abs(x.correlation ?? 0)
    );
    assert.deepEqual(
      abs,
      [...abs].sort((a: number, b: number) => b - a),
      "sorted by |correlation| descending",
    );

    // IC Time Series and Chart Data: the validation's series.
    const ic = await c.call("GET", `/api/v1/factors/${id}/ic-series`);
    assert.equal(ic.status, 200);
    assertShape(ic.body, IC_SERIES_EXAMPLE);
    assert.deepEqual(ic.body.records, sub.body.ic_series);
    const chart = await c.call("GET", `/api/v1/factors/${id}/chart-data`);
    assert.equal(chart.status, 200);
    assertShape(chart.body, CHART_DATA_EXAMPLE);
    assert.deepEqual(chart.body, {
      ic_series: sub.body.ic_series,
      ls_cumulative_returns: sub.body.ls_cumulative_returns,
      yearly_stats: sub.body.yearly_stats,
    });

    // Another user sees none of it.
    const other = await guideAccount(w, "10.7.0.2");
    for (const path of ["", "/values/status", "/submit", "/correlations", "/ic-series", "/chart-data"]) {
      const res = await other.call("GET", `/api/v1/factors/${id}${path}`);
      assert.equal(res.status, 404, path);
      assert.equal(typeof res.body.detail, "string");
    }
  }));

Deno.test("QuantGPT Alpha Factor Library: List / Detail / Update / Delete and the lifecycle's refusals", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    const act = await activeFactor(c, "reversal_20d", await planted(market(w), "reversal"));
    w.clock.advance(1000);
    const draft = await c.call("POST", "/api/v1/factors", { ...CREATE_FACTOR_BODY, name: "draft_one" });
    w.clock.advance(1000);
    const other = await c.call("POST", "/api/v1/factors", { name: "mid_caps", universe: "csi500" });
    assert.equal(other.status, 201);

    // GET /api/v1/factors and its queries.
    const all = await c.call("GET", "/api/v1/factors");
    assert.equal(all.status, 200);
    assert.equal(all.body.factors.length, 3);
    for (const item of all.body.factors) {
      assertFactor(item);
      for (const k of ["ic_series", "ls_cumulative_returns"]) {
        assert.ok(!(k in item), `${k} is not in the list`);
      }
    }
    const ids = async (query: string) => {
      const res = await c.call("GET", `/api/v1/factors${query}`);
      assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      return res.body.factors.map((x: { id: string }) => x.id);
    };
    assert.deepEqual(await ids("?status=active"), [act.id]);
    assert.deepEqual(new Set(await ids("?universe=hs300")), new Set([act.id, draft.body.id]));
    assert.deepEqual(await ids("?order=-created_at"), [other.body.id, draft.body.id, act.id]);
    assert.deepEqual(await ids("?order=created_at"), [act.id, draft.body.id, other.body.id]);
    assert.equal((await ids("?order=ic_mean"))[0], act.id, "the validated factor first");
    assert.equal((await ids("?order=ic_ir"))[0], act.id, "the validated factor first");
    assert.deepEqual(await ids("?limit=50&offset=0"), await ids(""));
    assert.deepEqual(await ids("?limit=1&offset=1"), [(await ids(""))[1]]);
    assert.equal((await c.call("GET", "/api/v1/factors?status=retired")).status, 422);

    // PATCH: name/description/expression of a draft factor.
    const patched = await c.call("PATCH", `/api/v1/factors/${draft.body.id}`, {
      name: "draft_renamed",
      description: "new text",
      expression: "-ts_delta(close, 20)",
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assertFactor(patched.body);
    assert.deepEqual(
      [patched.body.name, patched.body.description, patched.body.expression],
      ["draft_renamed", "new text", "-ts_delta(close, 20)"],
    );
    const bad = await c.call("PATCH", `/api/v1/factors/${draft.body.id}`, { universe: "csi500" });
    assert.equal(bad.status, 422, "only name/description/expression");
    assert.ok(Array.isArray(bad.body.detail));

    // An active factor: no PATCH, no DELETE, no upload, no second submit.
    expectRefusal(
      await c.call("PATCH", `/api/v1/factors/${act.id}`, { name: "x" }),
      "PATCH an active factor",
    );
    expectRefusal(await c.call("DELETE", `/api/v1/factors/${act.id}`), "DELETE an active factor");
    // The document's upload to an active factor: its example dates are in-sample, which an active factor keeps
    // frozen (422 at each date); only dates after activation (out of sample) are taken.
    const frozen = await c.call("POST", `/api/v1/factors/${act.id}/values`, UPLOAD_BODY);
    assert.equal(frozen.status, 422, JSON.stringify(frozen.body));
    assert.deepEqual(
      (frozen.body.detail as { loc: unknown[] }[]).map((d) => d.loc),
      [["body", "data", 0, "date"], ["body", "data", 1, "date"]],
    );
    expectRefusal(await c.call("POST", `/api/v1/factors/${act.id}/submit`), "submit an active factor");
    assert.equal((await c.call("GET", `/api/v1/factors/${act.id}`)).body.status, "active");

    // DELETE a draft factor: its values go with it.
    await c.call("POST", `/api/v1/factors/${draft.body.id}/values`, UPLOAD_BODY);
    const del = await c.call("DELETE", `/api/v1/factors/${draft.body.id}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.equal((await c.call("GET", `/api/v1/factors/${draft.body.id}`)).status, 404);
    assert.equal((await c.call("GET", `/api/v1/factors/${draft.body.id}/values/status`)).status, 404);
    assert.equal((await c.call("DELETE", `/api/v1/factors/${draft.body.id}`)).status, 404);

    // Upload rules: 1-500 entries, non-trading days silently skipped, values a non-empty dict.
    const fid = other.body.id;
    assert.equal((await c.call("POST", `/api/v1/factors/${fid}/values`, { data: [] })).status, 422);
    const tooMany = Array.from(
      { length: 501 },
      (_, i) => ({ date: "2025-01-02", values: { "600519.SH": i } }),
    );
    assert.equal((await c.call("POST", `/api/v1/factors/${fid}/values`, { data: tooMany })).status, 422);
    const empty = await c.call("POST", `/api/v1/factors/${fid}/values`, {
      data: [{ date: "2025-01-02", values: {} }],
    });
    assert.equal(empty.status, 422);
    const csi500 = (await market(w).getUniverse("csi500")).slice(0, 2);
    const skipped = await c.call("POST", `/api/v1/factors/${fid}/values`, {
      data: [
        { date: "2025-01-04", values: { [csi500[0]]: 1 } }, // a Saturday
        { date: "2025-01-06", values: { [csi500[0]]: 1, [csi500[1]]: 2 } },
      ],
    });
    assert.equal(skipped.status, 200, JSON.stringify(skipped.body));
    assert.deepEqual([skipped.body.uploaded, skipped.body.total_days], [1, 1]);
  }));

Deno.test("QuantGPT Recommended Workflow: the factor submission pseudocode, rejected then resubmitted", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    const reversal = await planted(market(w), "reversal");
    await activeFactor(c, "already_active", reversal);

    // Step 1: Create factor.
    const factor = await c.call("POST", "/api/v1/factors", {
      name: "my_alpha",
      universe: "hs300",
      expression: "rank(ts_mean(close, 20))", // optional, for record-keeping
      claimed_ic_mean: 0.035, // optional, self-reported
    });
    assert.equal(factor.status, 201);
    assertFactor(factor.body);
    const factorId = factor.body.id;
    // Step 2: Upload factor values (batch, max 500 per request).
    for (const batch of chunked(reversal, 500)) {
      const res = await c.call("POST", `/api/v1/factors/${factorId}/values`, { data: batch });
      assert.equal(res.status, 200);
    }
    // Step 3: Check readiness.
    const status = await c.call("GET", `/api/v1/factors/${factorId}/values/status`);
    assert.ok(status.body.ready, ">= 120 trading days");
    // Step 4: Submit for validation: the same values as an active factor → rejected on SELF_CORRELATION.
    const result = await c.call("POST", `/api/v1/factors/${factorId}/submit`);
    assert.equal(result.status, 200);
    assertFactor(result.body);
    assert.equal(result.body.status, "rejected");
    const failed = result.body.checks.filter((k: { passed: boolean }) => !k.passed);
    assert.deepEqual(failed.map((k: { name: string }) => k.name), ["SELF_CORRELATION"]);
    assert.ok(failed[0].value > 0.99);
    assert.equal(typeof result.body.reject_reason, "string");

    // "upload more/better data and resubmit": an upload to a rejected factor resets it (checks cleared).
    const better = await planted(market(w), "value");
    let last: Record<string, unknown> = {};
    for (const batch of chunked(better, 500)) {
      last = (await c.call("POST", `/api/v1/factors/${factorId}/values`, { data: batch })).body;
    }
    assert.equal(last.status, "ready");
    const reset = await c.call("GET", `/api/v1/factors/${factorId}`);
    assert.deepEqual([reset.body.status, reset.body.checks, reset.body.reject_reason], ["ready", null, null]);
    const again = await c.call("POST", `/api/v1/factors/${factorId}/submit`);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, "active", JSON.stringify(again.body.checks));
  }));

Deno.test("QuantGPT Idempotency & Retry Safety: the factor rows", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    // POST /api/v1/factors — NO: each call creates a NEW factor; GET /api/v1/factors confirms.
    const a = await c.call("POST", "/api/v1/factors", CREATE_FACTOR_BODY);
    const b = await c.call("POST", "/api/v1/factors", CREATE_FACTOR_BODY);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.id, b.body.id);
    const list = await c.call("GET", "/api/v1/factors");
    assert.equal(list.body.factors.filter((f: { name: string }) => f.name === "momentum_20d").length, 2);

    // POST /api/v1/factors/{id}/values — YES: upsert, the same date overwrites; safe to retry.
    const reversal = await planted(market(w), "reversal");
    const first = await c.call("POST", `/api/v1/factors/${a.body.id}/values`, { data: reversal });
    const retry = await c.call("POST", `/api/v1/factors/${a.body.id}/values`, { data: reversal });
    assert.equal(first.status, 200);
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.body.total_days, reversal.length);

    // POST /api/v1/factors/{id}/submit — NO: GET /api/v1/factors/{id}/submit confirms before a retry.
    const before = await c.call("GET", `/api/v1/factors/${a.body.id}/submit`);
    assertDocumentShape(before.body, POLL_EXAMPLE, { nullable: ["$.checks", "$.validated_at"] });
    assert.deepEqual([before.body.status, before.body.checks, before.body.validated_at], [
      "ready",
      null,
      null,
    ]);
    const sub = await c.call("POST", `/api/v1/factors/${a.body.id}/submit`);
    assert.equal(sub.status, 200);
    const after = await c.call("GET", `/api/v1/factors/${a.body.id}/submit`);
    assert.equal(after.body.status, sub.body.status);
    assert.equal(after.body.validated_at, sub.body.validated_at);
    // A blind retry does not validate an active factor again: 400, nothing changes.
    expectRefusal(await c.call("POST", `/api/v1/factors/${a.body.id}/submit`), "retry of a finished submit");
    assert.deepEqual((await c.call("GET", `/api/v1/factors/${a.body.id}/submit`)).body, after.body);
  }));

Deno.test("QuantGPT Out-of-Sample Tracking: the 18:40 CST job fills os_ic_mean_30d/60d/120d under `os` in the detail", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    // Beyond the document, a formula factor: the platform computes its values (the planted reversal) every day,
    // so its out-of-sample days arrive without an upload.
    const created = await c.call("POST", "/api/v1/factors", {
      name: "reversal_formula",
      universe: "hs300",
      expression: "-ts_delta(close, 20) / delay(close, 20)",
      values_source: "formula",
      history_days: 250,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    const sub = await c.call("POST", `/api/v1/factors/${id}/submit`);
    assert.equal(sub.status, 200, JSON.stringify(sub.body).slice(0, 400));
    assert.equal(sub.body.status, "active", JSON.stringify(sub.body.checks));
    const activatedDay = "2026-05-14";
    assert.equal(
      sub.body.values.end_date,
      "2026-05-13",
      "values through the last completed day at 09:00 CST",
    );

    // Three trading days later, at 18:40 CST (10:40Z), the cron runs the tracker.
    const job = CRON_JOBS.find((j) => j.name === "factor-os-tracking")!;
    assert.equal(job.schedule, "40 10 * * *");
    const runAt = (date: string) => {
      w.clock.set(Date.parse(`${date}T10:40:00Z`));
      return job.run({
        queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
        clock: w.clock,
        log: w.deps.log,
        factors: w.deps.factors,
      });
    };
    await runAt("2026-05-19");
    const detail = await c.call("GET", `/api/v1/factors/${id}`);
    assert.equal(detail.status, 200);
    assertFactor(detail.body);
    const os = detail.body.os;
    // OS dates: after the activation day 05-14 → 05-15, 05-18, 05-19 computed by the platform; only 05-15 has
    // its forward return (05-18 → 05-19 close to close) by 05-19.
    assert.equal(detail.body.values.end_date, "2026-05-19");
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-15", 1, "2026-05-15"]);
    for (const k of ["ic_mean_30d", "ic_mean_60d", "ic_mean_120d"]) assert.equal(typeof os[k], "number", k);
    assert.equal(os.ic_mean_30d, os.ic_mean_120d, "one OS IC: every window holds it");
    assert.ok(activatedDay < os.start_date);
    // A Saturday changes nothing; the next trading day adds a day.
    await runAt("2026-05-23");
    assert.deepEqual((await c.call("GET", `/api/v1/factors/${id}`)).body.os, os);
    await runAt("2026-05-20");
    const next = (await c.call("GET", `/api/v1/factors/${id}`)).body.os;
    assert.deepEqual([next.start_date, next.days, next.last_date], ["2026-05-15", 2, "2026-05-18"]);
  }));
