import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { openTestWorld, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";

const F = "/api/v1/factors";
const sse = getCalendar("SSE");

async function withWorld(fn: (w: TestWorld) => Promise<void>, env: Record<string, string> = {}) {
  const w = await openTestWorld(env);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

async function user(w: TestWorld, email = "quant@example.com") {
  return (await signInWithOtp(w, email)).access_token;
}

async function create(w: TestWorld, token: string, body: Record<string, unknown> = {}) {
  const res = await w.request("POST", F, { token, json: { name: "mom_20", universe: "hs300", ...body } });
  return { res, body: await res.json() };
}

/** The last `n` SSE trading days up to 2026-05-13 (the day before the test clock's date). */
function tradingDays(n: number, end = "2026-05-13"): string[] {
  return sse.tradingDaysBetween("2024-01-01", end).slice(-n);
}

async function hs300(w: TestWorld, n = 20) {
  return (await w.deps.market.data.getUniverse("hs300")).slice(0, n);
}

function batch(dates: string[], symbols: string[], f = (t: number, j: number) => Math.sin(t * 7 + j)) {
  return dates.map((date, t) => ({ date, values: Object.fromEntries(symbols.map((s, j) => [s, f(t, j)])) }));
}

const upload = (w: TestWorld, token: string, id: string, data: unknown) =>
  w.request("POST", `${F}/${id}/values`, { token, json: { data } });

Deno.test("POST /factors answers 201 with the document's fields, nulls in is/os and the claims", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { res, body } = await create(w, a, {
      name: "momentum_20d",
      description: "20-day momentum factor",
      expression: "rank(ts_mean(close, 20))",
      claimed_ic_mean: 0.035,
      claimed_ic_ir: 0.68,
    });
    assert.equal(res.status, 201);
    assert.equal(body.status, "draft");
    assert.equal(body.values_source, "upload");
    assert.equal(body.expression, "rank(ts_mean(close, 20))");
    assert.deepEqual(body.claimed, { ic_mean: 0.035, ic_ir: 0.68 });
    for (
      const k of [
        "ic_mean",
        "ic_ir",
        "turnover",
        "sharpe",
        "fitness",
        "ic_decay",
        "coverage",
        "data_days",
        "max_correlation",
      ]
    ) assert.equal(body.is[k], null, k);
    assert.deepEqual(
      [body.os.ic_mean_30d, body.os.ic_mean_60d, body.os.ic_mean_120d, body.os.start_date],
      [null, null, null, null],
    );
    assert.equal(body.checks, null);
    assert.equal(body.reject_reason, null);
    assert.equal(body.yearly_stats, null);
    assert.equal(body.submitted_at, null);
    assert.equal(body.validated_at, null);
    assert.match(body.id, /^[0-9a-f-]{36}$/);
  }));

Deno.test("POST /factors refuses unknown fields, bad universes, control characters, long names and wild claims (422)", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const cases: [Record<string, unknown>, (string | number)[]][] = [
      [{ slug: "x" }, ["body", "slug"]],
      [{ universe: "csi2000" }, ["body", "universe"]],
      [{ name: "a\u0000b" }, ["body", "name"]],
      [{ name: "" }, ["body", "name"]],
      [{ name: "x".repeat(101) }, ["body", "name"]],
      [{ claimed_ic_mean: 5 }, ["body", "claimed_ic_mean"]],
      [{ claimed_ic_ir: "high" }, ["body", "claimed_ic_ir"]],
      [{ values_source: "magic" }, ["body", "values_source"]],
      [{ history_days: 200 }, ["body", "history_days"]],
      [{ values_source: "formula" }, ["body", "expression"]],
    ];
    for (const [extra, loc] of cases) {
      const { res, body } = await create(w, a, extra);
      assert.equal(res.status, 422, JSON.stringify(extra));
      assert.deepEqual(body.detail[0].loc, loc, JSON.stringify(extra));
    }
    const noName = await w.request("POST", F, { token: a, json: { universe: "hs300" } });
    assert.equal(noName.status, 422);
    assert.equal(w.logs.filter((l) => l.level === "error").length, 0);
  }));

Deno.test("GET /factors filters, orders, pages; bad enums are 422; another user's factor is 404 everywhere", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const ids: string[] = [];
    for (const [i, universe] of (["hs300", "csi500", "hs300"] as const).entries()) {
      ids.push((await create(w, a, { name: `f${i}`, universe })).body.id);
      w.clock.advance(1000);
    }
    const list = await (await w.request("GET", F, { token: a })).json();
    assert.equal(list.total, 3);
    assert.deepEqual(list.factors.map((f: { id: string }) => f.id), [...ids].reverse());
    const old = await (await w.request("GET", `${F}?order=created_at&limit=2`, { token: a })).json();
    assert.deepEqual(old.factors.map((f: { id: string }) => f.id), ids.slice(0, 2));
    assert.equal(old.total, 3);
    const hs = await (await w.request("GET", `${F}?universe=hs300&offset=1`, { token: a })).json();
    assert.deepEqual(hs.factors.map((f: { id: string }) => f.id), [ids[0]]);
    assert.equal(hs.total, 2);
    const ic = await (await w.request("GET", `${F}?order=ic_mean&status=draft`, { token: a })).json();
    assert.equal(ic.total, 3);
    for (const q of ["status=alive", "universe=sp500", "order=name", "limit=201", "limit=0", "offset=-1"]) {
      assert.equal((await w.request("GET", `${F}?${q}`, { token: a })).status, 422, q);
    }

    const b = await user(w, "other@example.com");
    assert.equal((await (await w.request("GET", F, { token: b })).json()).total, 0);
    const id = ids[0];
    for (
      const [method, path, json] of [
        ["GET", `${F}/${id}`],
        ["PATCH", `${F}/${id}`, { name: "mine" }],
        ["DELETE", `${F}/${id}`],
        ["POST", `${F}/${id}/values`, { data: batch(tradingDays(1), await hs300(w, 3)) }],
        ["GET", `${F}/${id}/values/status`],
        ["GET", `${F}/${id}/values`],
        ["POST", `${F}/${id}/submit`],
        ["GET", `${F}/${id}/submit`],
        ["GET", `${F}/${id}/correlations`],
        ["GET", `${F}/${id}/ic-series`],
        ["GET", `${F}/${id}/chart-data`],
        ["GET", `${F}/no-such-factor`],
      ] as [string, string, unknown?][]
    ) {
      const res = await w.request(method, path, { token: b, json });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(typeof (await res.json()).detail, "string");
    }
    assert.equal((await w.request("GET", F)).status, 401);
    assert.equal((await w.request("POST", `${F}/${id}/values`, { json: { data: [] } })).status, 401);
    assert.equal((await w.request("POST", `${F}/${id}/submit`)).status, 401);
  }));

Deno.test("PATCH and DELETE: only name/description/expression, only in draft or rejected", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const p = await w.request("PATCH", `${F}/${f.id}`, {
      token: a,
      json: { name: "renamed", description: "d", expression: "-ts_delta(close, 20)" },
    });
    assert.equal(p.status, 200);
    const pb = await p.json();
    assert.deepEqual([pb.name, pb.description, pb.expression], ["renamed", "d", "-ts_delta(close, 20)"]);
    const bad = await w.request("PATCH", `${F}/${f.id}`, { token: a, json: { universe: "csi500" } });
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail[0].loc, ["body", "universe"]);
    assert.equal(
      (await w.request("PATCH", `${F}/${f.id}`, { token: a, json: { status: "active" } })).status,
      422,
    );

    // A factor being validated can neither change nor go.
    await w.deps.factors.factors.update(
      f.id,
      (r) => ({ ...r, status: "validating", submitted_at: w.clock.now() }),
    );
    const locked = await w.request("PATCH", `${F}/${f.id}`, { token: a, json: { name: "x" } });
    assert.equal(locked.status, 400);
    assert.match((await locked.json()).detail, /validating/);
    assert.equal((await w.request("DELETE", `${F}/${f.id}`, { token: a })).status, 400);

    await w.deps.factors.factors.update(f.id, (r) => ({ ...r, status: "rejected" }));
    const del = await w.request("DELETE", `${F}/${f.id}`, { token: a });
    assert.equal(del.status, 200);
    assert.deepEqual(await del.json(), { deleted: true, id: f.id });
    assert.equal((await w.request("GET", `${F}/${f.id}`, { token: a })).status, 404);
    assert.equal((await w.request("DELETE", `${F}/${f.id}`, { token: a })).status, 404);
  }));

Deno.test("POST /values: upsert, skipped non-trading days, ignored symbols, draft → ready at 120, status, read-back", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const syms = await hs300(w, 30);
    const days = tradingDays(130);
    const first = await upload(w, a, f.id, [
      ...batch(days.slice(0, 100), syms),
      { date: "2026-05-02", values: { [syms[0]]: 1 } }, // Saturday
      { date: "2026-05-01", values: { [syms[0]]: 1 } }, // Labour Day
      { date: days[100], values: { [syms[0]]: 1, "999999.SZ": 2, "888888.SH": 3 } },
    ]);
    assert.equal(first.status, 200);
    const fb = await first.json();
    assert.deepEqual(fb.skipped_dates, ["2026-05-01", "2026-05-02"]);
    assert.deepEqual(fb.ignored_symbols, { count: 2, examples: ["888888.SH", "999999.SZ"] });
    assert.deepEqual([fb.uploaded, fb.total_days, fb.status], [101, 101, "draft"]);

    const st = await (await w.request("GET", `${F}/${f.id}/values/status`, { token: a })).json();
    assert.deepEqual(st, {
      total_days: 101,
      min_required: 120,
      ready: false,
      start_date: days[0],
      end_date: days[100],
    });

    // Overwrite day 0 and add the rest: 130 days, ready.
    const second = await upload(w, a, f.id, batch(days.slice(0, 1).concat(days.slice(100)), syms, () => 42));
    const sb = await second.json();
    assert.deepEqual([sb.uploaded, sb.total_days, sb.status], [31, 130, "ready"]);
    assert.equal(
      (await (await w.request("GET", `${F}/${f.id}/values/status`, { token: a })).json()).ready,
      true,
    );

    const page = await (await w.request("GET", `${F}/${f.id}/values?start=${days[0]}`, { token: a })).json();
    assert.equal(page.dates.length, 60);
    assert.equal(page.next_start, days[60]);
    assert.equal(page.dates[0].date, days[0]);
    assert.equal(page.dates[0].values[syms[3]], 42);
    assert.equal(page.dates[1].values[syms[3]], Math.sin(7 + 3));
    const last =
      await (await w.request("GET", `${F}/${f.id}/values?start=${days[129]}&end=${days[129]}`, { token: a }))
        .json();
    assert.deepEqual(last.dates.map((d: { date: string }) => d.date), [days[129]]);
    assert.equal(last.next_start, null);
    assert.equal(
      (await w.request("GET", `${F}/${f.id}/values?start=2026-02-30`, { token: a })).status,
      422,
    );
    const reversed = await w.request("GET", `${F}/${f.id}/values?start=2026-05-01&end=2026-04-01`, {
      token: a,
    });
    assert.equal(reversed.status, 422);
    assert.deepEqual((await reversed.json()).detail[0].loc, ["query", "end"]);
  }));

Deno.test("POST /values refuses ugly bodies with located 422s, never 500", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const d = tradingDays(3);
    const s = "600000.SH";
    const cases: [unknown, (string | number)[]][] = [
      [{}, ["body", "data"]],
      [{ data: [] }, ["body", "data"]],
      [{ data: "x" }, ["body", "data"]],
      [{ data: [{ date: d[0], values: { [s]: 1 } }], extra: 1 }, ["body", "extra"]],
      [{ data: [{ date: d[0], values: { [s]: 1 }, note: "x" }] }, ["body", "data", 0, "note"]],
      [{ data: [{ date: "2025-13-01", values: { [s]: 1 } }] }, ["body", "data", 0, "date"]],
      [{ data: [{ date: "20250102", values: { [s]: 1 } }] }, ["body", "data", 0, "date"]],
      [{ data: [{ date: 20250102, values: { [s]: 1 } }] }, ["body", "data", 0, "date"]],
      [{ data: [{ values: { [s]: 1 } }] }, ["body", "data", 0, "date"]],
      [{ data: [{ date: d[0], values: {} }] }, ["body", "data", 0, "values"]],
      [{ data: [{ date: d[0], values: [1, 2] }] }, ["body", "data", 0, "values"]],
      [{ data: [{ date: d[0] }] }, ["body", "data", 0, "values"]],
      [{ data: [{ date: d[0], values: { "600000": 1 } }] }, ["body", "data", 0, "values", "600000"]],
      [{ data: [{ date: d[0], values: { "600000.sh": 1 } }] }, ["body", "data", 0, "values", "600000.sh"]],
      [{ data: [{ date: d[0], values: { [s]: null } }] }, ["body", "data", 0, "values", s]],
      [{ data: [{ date: d[0], values: { [s]: "1.5" } }] }, ["body", "data", 0, "values", s]],
      [{ data: [{ date: d[0], values: { [s]: true } }] }, ["body", "data", 0, "values", s]],
      [
        { data: [{ date: d[0], values: { [s]: 1 } }, { date: d[0], values: { [s]: 2 } }] },
        ["body", "data", 1, "date"],
      ],
      [{ data: [{ date: "2026-05-15", values: { [s]: 1 } }] }, ["body", "data", 0, "date"]],
      [{ data: [null] }, ["body", "data", 0]],
      [[1, 2], ["body"]],
      [{ data: Array.from({ length: 501 }, (_, i) => ({ date: d[0], values: { [s]: i } })) }, [
        "body",
        "data",
      ]],
    ];
    for (const [json, loc] of cases) {
      const res = await w.request("POST", `${F}/${f.id}/values`, { token: a, json });
      assert.equal(res.status, 422, JSON.stringify(json).slice(0, 120));
      const body = await res.json();
      assert.deepEqual(body.detail[0].loc, loc, JSON.stringify(json).slice(0, 120));
    }
    // 1e400 reads as Infinity; tiny numbers are fine.
    const raw = `{"data":[{"date":"${d[0]}","values":{"${s}":1e400}}]}`;
    const inf = await w.request("POST", `${F}/${f.id}/values`, {
      token: a,
      body: raw,
      headers: { "content-type": "application/json" },
    });
    assert.equal(inf.status, 422);
    assert.deepEqual((await inf.json()).detail[0].loc, ["body", "data", 0, "values", s]);
    const malformed = await w.request("POST", `${F}/${f.id}/values`, {
      token: a,
      body: "{",
      headers: { "content-type": "application/json" },
    });
    assert.equal(malformed.status, 422);
    assert.equal((await malformed.json()).detail[0].type, "json_invalid");
    const notJson = await w.request("POST", `${F}/${f.id}/values`, { token: a, body: "x" });
    assert.equal(notJson.status, 415);
    const tiny = await upload(w, a, f.id, [{ date: d[0], values: { [s]: 5e-324, "600004.SH": -1e308 } }]);
    assert.equal(tiny.status, 200);
    assert.equal(w.logs.filter((l) => l.level === "error").length, 0);
  }));

Deno.test("POST /values: today (CST) is accepted; a body over FACTOR_UPLOAD_MAX_BYTES is 413; not above 1 MiB global", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const syms = await hs300(w, 300);
    // Bodies over the 1 MiB global limit; the test config's factor limit is 1.5 MB.
    const big = batch(
      tradingDays(200),
      syms.slice(0, 300).map((x) => x),
      (t, j) => t * 1000 + j + 0.123456789,
    );
    assert.ok(JSON.stringify({ data: big.slice(0, 150) }).length > 1_100_000);
    assert.ok(JSON.stringify({ data: big }).length > 1_600_000);
    const ok = await upload(w, a, f.id, big.slice(0, 150));
    assert.equal(ok.status, 200);
    const tooBig = await upload(w, a, f.id, big);
    assert.equal(tooBig.status, 413);
    assert.equal(typeof (await tooBig.json()).detail, "string");
    const today = await upload(w, a, f.id, [{ date: "2026-05-14", values: { [syms[0]]: 1 } }]);
    assert.equal(today.status, 200);
    // Any other route keeps the global limit.
    const huge = await w.request("POST", F, {
      token: a,
      json: { name: "x", universe: "hs300", description: "y".repeat(2_000_000) },
    });
    assert.equal(huge.status, 413);
  }, { FACTOR_UPLOAD_MAX_BYTES: String(1_500_000) }));

Deno.test("POST /values: an upload to a rejected factor clears its validation; an active one takes only out-of-sample dates", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const syms = await hs300(w, 10);
    await upload(w, a, f.id, batch(tradingDays(125), syms));
    await w.deps.factors.factors.update(f.id, (r) => ({
      ...r,
      status: "rejected",
      reject_reason: "IC_MEAN: abs(ic_mean) = 0.001, needs > 0.015",
      checks: [],
      yearly_stats: [],
    }));
    await w.deps.factors.factors.putSeries(f.id, {
      ic_series: [{ date: "2025-01-02", ic: 0.1 }],
      ls_cumulative_returns: [],
    });
    const res = await upload(w, a, f.id, batch(tradingDays(1), syms));
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "ready");
    const detail = await (await w.request("GET", `${F}/${f.id}`, { token: a })).json();
    assert.deepEqual([detail.status, detail.checks, detail.reject_reason, detail.yearly_stats], [
      "ready",
      null,
      null,
      null,
    ]);
    assert.deepEqual(detail.ic_series, []);

    // Active since 2026-05-12 (CST): in-sample dates are frozen, later ones (out of sample) are taken.
    await w.deps.factors.factors.update(f.id, (r) => ({
      ...r,
      status: "active",
      activated_at: Date.parse("2026-05-12T10:00:00+08:00"),
    }));
    const frozen = await upload(w, a, f.id, batch(["2026-05-13", "2026-05-12"], syms));
    assert.equal(frozen.status, 422);
    const issues = (await frozen.json()).detail;
    assert.deepEqual(issues.map((i: { loc: unknown[] }) => i.loc), [["body", "data", 1, "date"]]);
    assert.match(issues[0].msg, /2026-05-12.*frozen/);
    const os = await upload(w, a, f.id, batch(["2026-05-13"], syms));
    assert.equal(os.status, 200);
    const osBody = await os.json();
    assert.deepEqual([osBody.uploaded, osBody.status], [1, "active"]);
    // 2026-05-13's value predicts the return from 2026-05-14's close: it is taken (and replaceable) until
    // 15:00 Asia/Shanghai that day, never with hindsight.
    w.clock.set(Date.parse("2026-05-14T14:59:59.999+08:00"));
    assert.equal((await upload(w, a, f.id, batch(["2026-05-13"], syms, () => 0.5))).status, 200);
    w.clock.set(Date.parse("2026-05-14T15:00:00+08:00"));
    const late = await upload(w, a, f.id, batch(["2026-05-13"], syms, () => 0.7));
    assert.equal(late.status, 422);
    assert.match((await late.json()).detail[0].msg, /2026-05-13: out-of-sample values .* until 15:00/);
    w.clock.set(T0);

    await w.deps.factors.factors.update(f.id, (r) => ({ ...r, status: "validating" }));
    const refused = await upload(w, a, f.id, batch(["2026-05-13"], syms));
    assert.equal(refused.status, 400);
    assert.match((await refused.json()).detail, /validating/);
  }));

Deno.test("POST /values: concurrent uploads to one factor all land", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { body: f } = await create(w, a);
    const syms = await hs300(w, 50);
    const days = tradingDays(160);
    const parts = [0, 1, 2, 3].map((k) => days.slice(k * 40, (k + 1) * 40));
    const answers = await Promise.all(parts.map((p) => upload(w, a, f.id, batch(p, syms))));
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 200]);
    const st = await (await w.request("GET", `${F}/${f.id}/values/status`, { token: a })).json();
    assert.deepEqual([st.total_days, st.ready, st.start_date, st.end_date], [160, true, days[0], days[159]]);
    const detail = await (await w.request("GET", `${F}/${f.id}`, { token: a })).json();
    assert.equal(detail.status, "ready");
  }));
