import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "../../domain/errors.ts";
import { fromInput, prefixLoc } from "../../routes/errors.ts";

Deno.test("prefixLoc() puts the request part in front of the location and of every issue", () => {
  const err = new ValidationError("2 bad rows", [], "csv_invalid", [
    { type: "csv_row_invalid", loc: ["row", 3], msg: "high below low" },
    { type: "csv_row_invalid", loc: ["file", "A.csv", "row", 2], msg: "no date", ctx: { line: 2 } },
  ]);
  const out = prefixLoc(err, "body");
  assert.ok(out instanceof ValidationError);
  assert.deepEqual([out.message, out.type, out.loc], ["2 bad rows", "csv_invalid", ["body"]]);
  assert.deepEqual(out.issues, [
    { type: "csv_row_invalid", loc: ["body", "row", 3], msg: "high below low" },
    { type: "csv_row_invalid", loc: ["body", "file", "A.csv", "row", 2], msg: "no date", ctx: { line: 2 } },
  ]);
  assert.deepEqual(err.loc, [], "the domain error is left as it was");
  assert.equal(prefixLoc(new ValidationError("x", ["nickname"]), "body").issues, undefined);
});

Deno.test("prefixLoc() can choose the part per location (path and body of one operation)", () => {
  const where = (loc: (string | number)[]) => (loc[0] === "year" ? "path" : "body");
  assert.deepEqual(prefixLoc(new ValidationError("bad year", ["year"]), where).loc, ["path", "year"]);
  const closures = new ValidationError("bad date", ["closures", 2], "value_error", [
    { type: "value_error", loc: ["closures", 2], msg: "bad date" },
  ]);
  assert.deepEqual(prefixLoc(closures, where).issues?.map((i) => i.loc), [["body", "closures", 2]]);
});

Deno.test("fromInput() prefixes validation errors only and passes answers and other errors through", async () => {
  assert.equal(await fromInput("query", () => 7), 7);
  assert.equal(await fromInput("query", () => Promise.resolve("ok")), "ok");
  await assert.rejects(
    fromInput("query", () => Promise.reject(new ValidationError("bad", ["redirect_uri"]))),
    (e) => e instanceof ValidationError && e.loc.join() === "query,redirect_uri",
  );
  const missing = new NotFoundError("gone");
  await assert.rejects(
    fromInput("query", () => {
      throw missing;
    }),
    (e) => e === missing,
  );
});
