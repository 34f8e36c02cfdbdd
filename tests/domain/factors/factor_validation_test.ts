/** Submit refusals and recoveries of `submitFactor`, and the formula refresh, on the test world's services. */
import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { BadRequestError, RateLimitError, ValidationError } from "../../../domain/errors.ts";
import { createFactor } from "../../../domain/factors/factor_crud.ts";
import { uploadFactorValues } from "../../../domain/factors/factor_upload.ts";
import { pollFactorSubmit, submitFactor } from "../../../domain/factors/factor_validation.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";

const sse = getCalendar("SSE");

async function withWorld(fn: (w: TestWorld) => Promise<void>, env: Record<string, string> = {}) {
  const w = await openTestWorld(env);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

async function readyFactor(
  w: TestWorld,
  owner: string,
  dates: string[],
  universe: "hs300" | "csi1000" = "hs300",
) {
  const deps = w.deps.factors;
  const f = await createFactor(deps, owner, { name: "f", universe });
  const symbols = (await deps.market.getUniverse(universe)).slice(0, 20);
  const entries = dates.map((date, t) => ({
    date,
    values: Object.fromEntries(symbols.map((s, j) => [s, Math.sin(t + 3 * j)])),
  }));
  for (let k = 0; k < entries.length; k += 500) {
    await uploadFactorValues(deps, owner, f.id, { data: entries.slice(k, k + 500) });
  }
  return f.id;
}

Deno.test("submit: only a ready factor (400 otherwise); a validation older than 10 minutes may be resubmitted", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    const draft = await createFactor(deps, "u1", { name: "d", universe: "hs300" });
    await assert.rejects(
      submitFactor(deps, "u1", draft.id),
      (e) => e instanceof BadRequestError && /draft/.test(e.message),
    );

    const id = await readyFactor(w, "u1", sse.tradingDaysBetween("2025-09-01", "2026-05-13"));
    await deps.factors.update(id, (r) => ({ ...r, status: "validating", submitted_at: w.clock.now() }));
    await assert.rejects(submitFactor(deps, "u1", id), /already being validated/);
    w.clock.advance(10 * 60 * 1000 + 1);
    const done = await submitFactor(deps, "u1", id);
    assert.ok(done.status === "active" || done.status === "rejected");
    assert.equal((await pollFactorSubmit(deps, "u1", id)).status, done.status);
  }));

Deno.test("submit: two submits at once — one validates, the other is refused (400), and the owner is notified", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    const id = await readyFactor(w, "u1", sse.tradingDaysBetween("2025-09-01", "2026-05-13"));
    const outcomes = await Promise.allSettled([submitFactor(deps, "u1", id), submitFactor(deps, "u1", id)]);
    const ok = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o) => o.status === "rejected");
    assert.equal(ok.length, 1);
    assert.equal(refused.length, 1);
    assert.ok((refused[0] as PromiseRejectedResult).reason instanceof BadRequestError);
    const status = (ok[0] as PromiseFulfilledResult<{ status: string }>).value.status;
    const notes = await deps.notifications.notifications.list("u1", { limit: 10, offset: 0 });
    assert.equal(notes.items.length, 1);
    assert.match(notes.items[0].title, new RegExp(`is ${status}$`));
  }));

Deno.test("submit: a failure puts the factor back to ready (no prices for its dates)", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    // The synthetic market starts in 2015: values from 2011 have no prices.
    const id = await readyFactor(w, "u1", sse.tradingDaysBetween("2011-01-01", "2011-12-31"));
    await assert.rejects(submitFactor(deps, "u1", id), BadRequestError);
    assert.equal((await deps.factors.get(id))!.status, "ready");
  }));

Deno.test("submit: a panel over 3,000 days × 1,000 symbols is refused before anything is read", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    const days = sse.tradingDaysBetween("2013-01-01", "2026-05-13");
    assert.ok(days.length > 3000);
    const id = await readyFactor(w, "u1", [...days.slice(0, 60), ...days.slice(-60)], "csi1000");
    await assert.rejects(
      submitFactor(deps, "u1", id),
      (e) => e instanceof BadRequestError && /too large/.test(e.message),
    );
    assert.equal((await deps.factors.get(id))!.status, "ready");
  }));

Deno.test("submit and formula creation are charged to the compute rate (429 past it)", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    const id = await readyFactor(w, "u1", sse.tradingDaysBetween("2025-09-01", "2026-05-13"));
    await submitFactor(deps, "u1", id);
    await assert.rejects(submitFactor(deps, "u1", id), RateLimitError);
    await assert.rejects(
      createFactor(deps, "u1", {
        name: "f",
        universe: "hs300",
        values_source: "formula",
        expression: "rank(close)",
        history_days: 120,
      }),
      RateLimitError,
    );
  }, { RATE_LIMIT_FACTOR_COMPUTE: "1/1h" }));

Deno.test("a formula factor's values are recomputed through the last completed day when it is submitted", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    const f = await createFactor(deps, "u1", {
      name: "rev",
      universe: "hs300",
      values_source: "formula",
      expression: "-ts_delta(close, 20) / delay(close, 20)",
      history_days: 120,
    });
    assert.deepEqual([f.status, f.values.total_days, f.values.end_date], ["ready", 120, "2026-05-13"]);
    w.clock.advance(7 * 86_400_000); // 2026-05-21 09:00 CST: 2026-05-14 … 2026-05-20 completed
    const v = await submitFactor(deps, "u1", f.id);
    assert.equal(v.values.end_date, "2026-05-20");
    assert.equal(v.values.start_date, f.values.start_date);
    assert.equal(v.values.total_days, 125);
    assert.equal(v.is.data_days, 125);
  }));

Deno.test("a formula over the work budget is refused at its expression before anything is computed", () =>
  withWorld(async (w) => {
    const deps = w.deps.factors;
    await assert.rejects(
      createFactor(deps, "u1", {
        name: "heavy",
        universe: "csi1000",
        values_source: "formula",
        expression: "ts_rank(close, 250) + ts_rank(open, 250) + ts_rank(high, 250) + ts_rank(low, 250) + " +
          "ts_rank(vwap, 250) + ts_rank(volume, 250)",
        history_days: 1000,
      }),
      (e) => e instanceof ValidationError && e.type === "formula_cost" && e.loc[0] === "expression",
    );
    assert.equal((await deps.factors.listByOwner("u1")).length, 0);
  }));
