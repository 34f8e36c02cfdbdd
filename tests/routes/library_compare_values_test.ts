/**
 * A version compare answers the spec differences as JSON values of any shape (lists of objects such as
 * fundamental filters, or a sub-object only one version has), and each answer meets `/openapi.json` (the test
 * world checks every answer against it).
 */
import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const BASE = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2017-01-01",
  end: "2018-12-31",
};

Deno.test("library compare: differences in fundamental filters and in a sub-object one version lacks", async () => {
  const w = await openTestWorld();
  try {
    const t = (await signInWithOtp(w, "values@example.com")).access_token;
    const save = async (spec: unknown, strategy_id?: string) =>
      await (await w.request("POST", "/api/v1/library", {
        json: { name: "Values", spec, ...(strategy_id ? { strategy_id } : {}) },
        token: t,
      })).json();
    const { strategy_id } = await save(BASE);
    const withPe = {
      ...BASE,
      universe: { ...BASE.universe, filters: { fundamentals: [{ metric: "PE_RATIO", max: 40 }] } },
    };
    const withRoe = {
      ...BASE,
      universe: { ...BASE.universe, filters: { fundamentals: [{ metric: "ROE", min: 10 }] } },
    };
    await save(withPe, strategy_id);
    await save(withRoe, strategy_id);

    const oneSide = await w.request("GET", `/api/v1/library/${strategy_id}/compare?a=1&b=2`, { token: t });
    assert.equal(oneSide.status, 200);
    const a = (await oneSide.json()).spec_differences;
    assert.deepEqual(a, [{
      path: "universe.filters",
      a: null,
      b: { fundamentals: [{ metric: "PE_RATIO", max: 40 }] },
    }]);

    const lists = await w.request("GET", `/api/v1/library/${strategy_id}/compare?a=2&b=3`, { token: t });
    assert.equal(lists.status, 200);
    assert.deepEqual((await lists.json()).spec_differences, [{
      path: "universe.filters.fundamentals",
      a: [{ metric: "PE_RATIO", max: 40 }],
      b: [{ metric: "ROE", min: 10 }],
    }]);
  } finally {
    await w.close();
  }
});
