import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { BlueprintSchema } from "../../../domain/strategy/blueprint_and_config.ts";
import {
  anyStrategySource,
  oneStrategySource,
  resolveSpec,
  sourcePath,
} from "../../../domain/strategy/strategy_source.ts";
import { toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import { rsiSpec } from "../../_helpers/backtest_world.ts";

Deno.test("oneStrategySource/anyStrategySource count the strategy fields given", () => {
  const spec = rsiSpec(["600519.SH"]);
  assert.equal(oneStrategySource({}), false);
  assert.equal(anyStrategySource({}), false);
  assert.equal(oneStrategySource({ spec }), true);
  assert.equal(oneStrategySource({ spec, strategy_code: "x" }), false);
  assert.equal(anyStrategySource({ strategy_code: "x" }), true);
});

Deno.test("resolveSpec() gives the same spec from a spec and from its strategy text", () => {
  const spec = rsiSpec(["600519.SH"]);
  assert.deepEqual(resolveSpec({ spec }), spec);
  assert.deepEqual(resolveSpec({ strategy_code: toStrategyText(spec) }), spec);
});

Deno.test("resolveSpec() errors carry paths relative to the input, never an adapter prefix", () => {
  assert.throws(() => resolveSpec({ strategy_code: "colour: red" }), (e) => {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.loc, ["strategy_code"]);
    return true;
  });
  // A blueprint whose dates are not dates does not compile into a spec: the path starts at the blueprint field.
  const blueprint = BlueprintSchema.parse({
    asset: "600519.SH",
    entry: [{ indicator: "rsi", operator: "<", value: 30 }],
    start: "someday",
  });
  assert.throws(() => resolveSpec({ blueprint }), (e) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.loc[0], "blueprint");
    assert.ok(!e.loc.includes("body"));
    return true;
  });
  assert.deepEqual(sourcePath({ strategy_code: "x" }), ["strategy_code"]);
  assert.deepEqual(sourcePath({}), ["spec"]);
});
