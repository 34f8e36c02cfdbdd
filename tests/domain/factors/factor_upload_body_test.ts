import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { readFactorUpload } from "../../../domain/factors/factor_upload_body.ts";

function issues(body: unknown) {
  try {
    readFactorUpload(body);
  } catch (e) {
    assert.ok(e instanceof ValidationError);
    return e.issues!.map((i) => ({ type: i.type, loc: i.loc }));
  }
  assert.fail("expected a ValidationError");
}

Deno.test("readFactorUpload keeps dates, symbols and values in the order sent", () => {
  const out = readFactorUpload({
    data: [{ date: "2025-01-02", values: { "600519.SH": 1.23, "000001.SZ": -0.45 } }],
  });
  assert.equal(out.length, 1);
  assert.equal(out[0].date, "2025-01-02");
  assert.deepEqual(out[0].symbols, ["600519.SH", "000001.SZ"]);
  assert.deepEqual([...out[0].values], [1.23, -0.45]);
});

Deno.test("readFactorUpload lists every problem with its location and type", () => {
  assert.deepEqual(
    issues({
      data: [
        { date: "2025-01-02", values: { "600519.SH": null, "60051.SH": 1, "600000.SZ": Infinity } },
        { date: "2025-02-30", values: { "600519.SH": 1 }, x: 1 },
        { date: "2025-01-02", values: { "600519.SH": 1 } },
      ],
    }),
    [
      { type: "invalid_type", loc: ["data", 0, "values", "600519.SH"] },
      { type: "invalid_format", loc: ["data", 0, "values", "60051.SH"] },
      { type: "invalid_type", loc: ["data", 0, "values", "600000.SZ"] },
      { type: "extra_forbidden", loc: ["data", 1, "x"] },
      { type: "invalid_format", loc: ["data", 1, "date"] },
      { type: "value_error", loc: ["data", 2, "date"] },
    ],
  );
  assert.deepEqual(issues({ data: [{ date: "1800-01-02", values: { "600519.SH": 1 } }] }), [
    { type: "invalid_format", loc: ["data", 0, "date"] },
  ]);
  assert.deepEqual(issues("data"), [{ type: "invalid_type", loc: [] }]);
  assert.deepEqual(issues({ data: [], more: 1 }), [
    { type: "extra_forbidden", loc: ["more"] },
    { type: "too_small", loc: ["data"] },
  ]);
});

Deno.test("readFactorUpload caps the issues it lists and the symbols per date", () => {
  const values: Record<string, unknown> = {};
  for (let j = 0; j < 200; j++) values[String(100000 + j).padStart(6, "0") + ".SH"] = "x";
  assert.equal(issues({ data: [{ date: "2025-01-02", values }] }).length, 50);
  const many: Record<string, number> = {};
  for (let j = 0; j < 4001; j++) many[String(100000 + j) + ".SZ"] = j;
  assert.deepEqual(issues({ data: [{ date: "2025-01-02", values: many }] }), [
    { type: "too_big", loc: ["data", 0, "values"] },
  ]);
});
