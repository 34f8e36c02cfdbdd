/**
 * The ways a request can name a strategy — a spec, the copilot's blueprint, the chat agent's config, or code
 * (canonical strategy text, or backtrader Python of the subset `backtrader/backtrader_import.ts` reads) — the rule that exactly one is given, and the spec each resolves to. Error paths are relative to
 * the input holding these fields (e.g. `["blueprint", "rules", 0]`); the adapter adds its own prefix.
 */
import { ZodError } from "zod";
import { ValidationError } from "../errors.ts";
import {
  type AgentConfig,
  type Blueprint,
  compileAgentConfig,
  compileBlueprint,
} from "./blueprint_and_config.ts";
import type { StrategySpec } from "./spec.ts";
import { parseStrategyText } from "./strategy_text.ts";
import { looksLikePython, parseBacktraderCode } from "./backtrader/backtrader_import.ts";

/** The ways a request can name a strategy (exactly one is given). */
export interface SpecSources {
  spec?: StrategySpec;
  blueprint?: Blueprint;
  config?: AgentConfig;
  strategy_code?: string;
}

/** The strategy fields, in the order they are looked at. */
const SOURCE_FIELDS = ["spec", "blueprint", "config", "strategy_code"] as const;

/** How many strategy fields `sources` holds. */
const sourceCount = (sources: SpecSources): number =>
  SOURCE_FIELDS.filter((k) => sources[k] !== undefined).length;

/** `true` when exactly one strategy field is given. */
export const oneStrategySource = (sources: SpecSources): boolean => sourceCount(sources) === 1;

/** `true` when any strategy field is given. */
export const anyStrategySource = (sources: SpecSources): boolean => sourceCount(sources) > 0;

/** The spec named by `sources`, whichever shape it came in; a shape that does not compile is a 422. */
export function resolveSpec(sources: SpecSources): StrategySpec {
  if (sources.spec) return sources.spec;
  if (sources.strategy_code) return parseStrategyCode(sources.strategy_code, ["strategy_code"]);
  const field = sources.blueprint ? "blueprint" : "config";
  try {
    return sources.blueprint ? compileBlueprint(sources.blueprint) : compileAgentConfig(sources.config!);
  } catch (e) {
    if (e instanceof ZodError) {
      const issue = e.issues[0];
      throw new ValidationError(issue.message, [field, ...issue.path.map(String)]);
    }
    throw e;
  }
}

/**
 * The spec of strategy code: backtrader Python (an import, a class or a function definition in it) is parsed —
 * never run — by `parseBacktraderCode`, anything else as strategy text. `defaults` fill fields the code does not
 * give (e.g. the universe of a one-ticker run); errors are at `loc`.
 */
export function parseStrategyCode(
  code: string,
  loc: (string | number)[],
  defaults: Partial<Record<string, unknown>> = {},
): StrategySpec {
  return looksLikePython(code)
    ? parseBacktraderCode(code, loc, defaults)
    : parseStrategyText(code, loc, defaults);
}

/** Where the strategy is among `sources` (relative path), for errors about it. */
export function sourcePath(sources: SpecSources): string[] {
  return [SOURCE_FIELDS.find((k) => sources[k] !== undefined) ?? "spec"];
}
