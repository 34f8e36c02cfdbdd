/**
 * Strategy-library tools (`/api/v1/library/*`), the model registry (`/api/v1/strategies/{name}/stage|promote`,
 * `/api/v1/models/{model_name}/versions|rollback`, or the library's own `/library/{id}/stage|promote|rollback`
 * when the strategy is named by id) and the public catalog (`/api/v1/catalog/strategies*`): the same operations
 * with the same body schemas. A saved strategy is a list of immutable versions; one version may be staging and
 * one production; promoting remembers the previous production version, which a rollback returns to.
 */
import { z } from "zod";
import { libraryRunCsv } from "../../domain/backtest/job_reports.ts";
import { compareCatalogStrategies, compareVersions } from "../../domain/backtest/strategy_compare.ts";
import { catalogByName, catalogPage } from "../../domain/strategy/catalog.ts";
import {
  listStrategies,
  listVersions,
  promote,
  publishStrategy,
  removeStrategy,
  rollback,
  saveFromSource,
  stage,
  strategyDetail,
  strategyTextFile,
} from "../../domain/strategy/library_views.ts";
import {
  modelVersions,
  promoteByName,
  rollbackByName,
  stageByName,
} from "../../domain/strategy/strategy_by_name.ts";
import { SaveStrategyBody } from "../../routes/schemas/strategy_requests.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const S = SaveStrategyBody.shape;

const StrategyId = z.string().min(1).max(64).describe(
  "The library strategy's id (save_strategy answers it as strategy_id; list_library lists them as id)",
);
const StrategyName = z.string().min(1).max(200).describe(
  'The name of one of my saved strategies, case-insensitive (e.g. "TrendFollowing"); when several of mine ' +
    "share it the call answers 409 listing their ids: use `id` instead",
);
const CatalogName = z.string().min(1).max(200).describe(
  "A strategy name in the public catalog, case-insensitive (list_catalog lists them)",
);

/** The save fields with descriptions (one strategy source, as `POST /library` takes it). */
const saveFields = {
  name: S.name.describe("The strategy's name, 1–200 characters"),
  prompt: S.prompt.describe("Optional: the request or idea the strategy came from (≤ 10,000 characters)"),
  spec: S.spec.describe(
    "A strategy spec as JSON ({universe, entry, exit, sizing, risk, costs, fill, capital, start, end, " +
      "benchmarks, …}; see run_backtest and the quantedge://docs/strategy-language resource)",
  ),
  blueprint: S.blueprint.describe("The copilot's seed blueprint shape (compiled into a spec)"),
  config: S.config.describe("The chat agent's config shape (compiled into a spec)"),
  strategy_code: S.strategy_code.describe(
    "The strategy as canonical strategy text or backtrader Python of the supported subset (parsed, never " +
      "run); ≤ 20,000 characters",
  ),
  code: S.code.describe("Same as strategy_code (the product documents' name for it); give one of the two"),
};

/** What a stage change answers. */
const STAGES_DOC = "Answers the strategy: id, name, latest_version, staging_version, production_version, " +
  "is_public, created_at, updated_at.";

/** The library, model-registry and catalog tools. */
export const libraryTools: ToolDef[] = [
  defineTool({
    name: "save_strategy",
    title: "Save a strategy to my library",
    description:
      "Saves a strategy as a new library entry (version 1), or with strategy_id as a new version " +
      "of one of mine (see also add_strategy_version). Give exactly one of spec, strategy_code (or code), " +
      "blueprint or config. Answers {message, strategy_id, version}. New strategies are private and " +
      "unstaged. Not idempotent: each call adds a strategy or a version; after a timeout, check list_library " +
      "or list_strategy_versions before retrying.",
    input: SaveStrategyBody.safeExtend({
      ...saveFields,
      strategy_id: S.strategy_id.describe("Optional: save as a new version of this strategy of mine"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) =>
      saveFromSource(ctx.deps.library, ctx.user().id, {
        ...args,
        strategy_code: args.strategy_code ?? args.code,
      }),
  }),
  defineTool({
    name: "add_strategy_version",
    title: "Add a version to a saved strategy",
    description: "Saves a new immutable version of one of my strategies (save_strategy with strategy_id): " +
      "answers {message, strategy_id, version}. Versions are never changed; stage_strategy and " +
      "promote_strategy choose which one is used. Not idempotent: after a timeout, check " +
      "list_strategy_versions before retrying.",
    input: SaveStrategyBody.safeExtend({
      ...saveFields,
      strategy_id: S.strategy_id.unwrap().describe("The strategy of mine to add a version to"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) =>
      saveFromSource(ctx.deps.library, ctx.user().id, {
        ...args,
        strategy_code: args.strategy_code ?? args.code,
      }),
  }),
  defineTool({
    name: "list_library",
    title: "List my saved strategies",
    description:
      "My saved strategies, newest first (`items`, `total`, `limit`, `offset`), each with id, name, " +
      "latest_version, staging_version, production_version, is_public and times (ISO 8601 UTC).",
    input: z.strictObject(pageArgs(50)),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, page) => listStrategies(ctx.deps.library, ctx.user().id, page),
  }),
  defineTool({
    name: "get_library_strategy",
    title: "One of my saved strategies",
    description:
      "One of my strategies with its stages and `latest` version: spec (every default filled in), " +
      "generated_code (strategy text) and backtrader_code (the version as backtrader 1.9 Python). Another " +
      "user's strategy is 404.",
    input: z.strictObject({ id: StrategyId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { id }) => strategyDetail(ctx.deps.library, ctx.user().id, id),
  }),
  defineTool({
    name: "update_library_strategy",
    title: "Publish or withdraw a saved strategy",
    description: "Sets is_public of one of my strategies: true lists it in the public catalog (with my " +
      "nickname, never my email) while it has a production version; false withdraws it. Nothing else of a " +
      "strategy changes (versions are immutable: add one with add_strategy_version). Idempotent. " +
      STAGES_DOC,
    input: z.strictObject({
      id: StrategyId,
      is_public: z.boolean().describe("true: publish in the catalog (while promoted); false: withdraw"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { id, is_public }) => publishStrategy(ctx.deps.library, ctx.user().id, id, is_public),
  }),
  defineTool({
    name: "delete_library_strategy",
    title: "Delete a saved strategy",
    description:
      "Deletes one of my strategies: it leaves my library and the catalog (its versions are kept " +
      "for jobs and leaderboard entries that name them, but cannot be reached again). Destructive; a second " +
      "call answers 404.",
    input: z.strictObject({ id: StrategyId }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { id }) => removeStrategy(ctx.deps.library, ctx.user().id, id),
  }),
  defineTool({
    name: "list_strategy_versions",
    title: "Versions of a saved strategy",
    description: "The versions of one of my strategies by id (`items` of {version, spec, generated_code, " +
      "created_at}, `total`). list_model_versions gives the same versions by name with their stage.",
    input: z.strictObject({ id: StrategyId, ...pageArgs(50) }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { id, limit, offset }) => listVersions(ctx.deps.library, ctx.user().id, id, { limit, offset }),
  }),
  defineTool({
    name: "get_strategy_text",
    title: "A saved strategy as strategy text",
    description: "The latest version of one of my strategies as a strategy-text file: {filename " +
      "(<id>-v<version>.strategy.txt), content_type, text} — what the HTTP download serves. The text can be " +
      "edited and saved back with add_strategy_version {strategy_code}.",
    input: z.strictObject({ id: StrategyId }),
    access: "user",
    hints: READ_ONLY,
    run: async (ctx, { id }) => {
      const file = await strategyTextFile(ctx.deps.library, ctx.user().id, id);
      return { filename: file.filename, content_type: "text/plain; charset=utf-8", text: file.text };
    },
  }),
  defineTool({
    name: "get_library_run_csv",
    title: "A saved strategy's latest run as CSV",
    description: "The trades and daily equity of the latest completed backtest job that ran one of my " +
      "strategies (submit_backtest {library_id}), as CSV text answered as {filename, content_type, csv}: what " +
      "the HTTP export.csv download serves. No completed job yet is 404: queue one with submit_backtest " +
      "{library_id} and poll get_backtest_status.",
    input: z.strictObject({ id: StrategyId }),
    access: "user",
    hints: READ_ONLY,
    run: async (ctx, { id }) => {
      const file = await libraryRunCsv(
        { jobs: ctx.deps.backtests, library: ctx.deps.library },
        ctx.user().id,
        id,
      );
      return { filename: file.filename, content_type: "text/csv; charset=utf-8", csv: file.text };
    },
  }),
  defineTool({
    name: "compare_strategy_versions",
    title: "Compare two versions of a strategy",
    description: "Runs versions a and b of one of my strategies, each on its own spec, and answers both " +
      "reports' summary metrics (`a`, `b`: {version, metrics}) and `spec_differences` ([{path, a, b}]). " +
      "Counts as one synchronous run against my backtest rate; too large for a synchronous run is 413 " +
      "(queue each version with submit_backtest {library_id, version} instead).",
    input: z.strictObject({
      id: StrategyId,
      a: z.number().int().min(1).describe("The first version number"),
      b: z.number().int().min(1).describe("The second version number"),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { id, a, b }) => compareVersions(ctx.deps.compare, ctx.user().id, id, { a, b }),
  }),
  defineTool({
    name: "stage_strategy",
    title: "Stage a strategy version",
    description:
      "Marks a version of one of my strategies as staging (the candidate promote_strategy puts in " +
      "production). Name the strategy by `name` (the model registry's way; version defaults to the latest) " +
      "or by `id` (version required). Repeating it changes nothing. " + STAGES_DOC,
    input: z.strictObject({
      name: StrategyName.optional(),
      id: StrategyId.optional(),
      version: z.number().int().min(1).optional().describe(
        "The version to stage (with name: default the latest; with id: required)",
      ),
    }).refine((a) => (a.name === undefined) !== (a.id === undefined), {
      message: "Give exactly one of name or id",
    }).refine((a) => a.id === undefined || a.version !== undefined, {
      message: "With id, give the version to stage (list_strategy_versions lists them)",
      path: ["version"],
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { name, id, version }) =>
      id !== undefined
        ? stage(ctx.deps.library, ctx.user().id, id, version!)
        : stageByName(ctx.deps.library, ctx.user().id, name!, version),
  }),
  defineTool({
    name: "promote_strategy",
    title: "Promote the staged version to production",
    description: "Puts the staging version of one of my strategies in production (the previous production " +
      "version is remembered as Archived, the target of rollback_model) and clears staging. Nothing staged " +
      "answers 400 (stage_strategy first). Name the strategy by `name` or by `id`. Idempotent: a repeat " +
      "finds nothing staged (400) and changes nothing. A published strategy's catalog entry follows its " +
      "production version. " + STAGES_DOC,
    input: z.strictObject({ name: StrategyName.optional(), id: StrategyId.optional() }).refine(
      (a) => (a.name === undefined) !== (a.id === undefined),
      { message: "Give exactly one of name or id" },
    ),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { name, id }) =>
      id !== undefined
        ? promote(ctx.deps.library, ctx.user().id, id)
        : promoteByName(ctx.deps.library, ctx.user().id, name!),
  }),
  defineTool({
    name: "list_model_versions",
    title: "Versions of a model with their stages",
    description: "The versions of my strategy of this name, newest first, each with current_stage: " +
      "Production, Staging, Archived (an earlier production version, a rollback target) or None; also " +
      "model_name, strategy_id, total, limit, offset.",
    input: z.strictObject({ model_name: StrategyName, ...pageArgs(50) }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { model_name, limit, offset }) =>
      modelVersions(ctx.deps.library, ctx.user().id, model_name, { limit, offset }),
  }),
  defineTool({
    name: "rollback_model",
    title: "Roll production back",
    description: "Returns production of one of my strategies to the previous production version (the last " +
      "Archived one); no earlier production version answers 400. Name the strategy by `model_name` or by " +
      "`id`. Each call steps back once more, so it is not idempotent; nothing is deleted (the versions " +
      "stay, promote again to go forward). " + STAGES_DOC,
    input: z.strictObject({ model_name: StrategyName.optional(), id: StrategyId.optional() }).refine(
      (a) => (a.model_name === undefined) !== (a.id === undefined),
      { message: "Give exactly one of model_name or id" },
    ),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { model_name, id }) =>
      id !== undefined
        ? rollback(ctx.deps.library, ctx.user().id, id)
        : rollbackByName(ctx.deps.library, ctx.user().id, model_name!),
  }),
  defineTool({
    name: "list_catalog",
    title: "The public strategy catalog",
    description:
      "Every published, promoted strategy of all users, newest first (`items` of {id, name, author " +
      "(nickname), production_version, generated_code, updated_at}, `total`), and `builtins`: the built-in " +
      "strategies (name, description, entry, exit) any user can run by name with submit_backtest {config: " +
      "{strategy, pairs}}. No credential needed.",
    input: z.strictObject(pageArgs(50)),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, page) => catalogPage(ctx.deps.catalog, page),
  }),
  defineTool({
    name: "get_catalog_strategy",
    title: "Catalog strategies by name",
    description: "The published, promoted strategies with this name (case-insensitive; several authors may " +
      "share a name) as `items`; none is 404. No credential needed.",
    input: z.strictObject({ name: CatalogName }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { name }) => catalogByName(ctx.deps.catalog, name),
  }),
  defineTool({
    name: "compare_catalog_strategy",
    title: "Compare the catalog strategies of a name",
    description:
      "Runs every published, promoted strategy with this name on its production spec and answers " +
      "their summary metrics side by side (`strategies` of {id, author, production_version, metrics, " +
      "cached}); results are cached by (spec, data version), so a repeat on unchanged data runs nothing " +
      "(cached: true). Rate-limited per client address (RATE_LIMIT_CATALOG_COMPARE). None with the name is " +
      "404. No credential needed.",
    input: z.strictObject({ name: CatalogName }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { name }) => compareCatalogStrategies(ctx.deps.catalogCompare, name, ctx.caller.clientIp),
  }),
];
