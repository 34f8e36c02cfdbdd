/**
 * Library strategies named by their name instead of their id — the model-registry view of the TradAI backend
 * document (`/strategies/{name}/stage|promote`, `/models/{model_name}/versions|rollback`), where a strategy's
 * name is its model name. Each operation finds the caller's strategy of that name and calls the library's own
 * operation on its id, so both ways of reaching a strategy behave alike.
 *
 * Names are not unique in a library: a name matches case-insensitively; exactly one of the caller's
 * (not deleted) strategies must match — none is "not found" (404), several is a conflict (409) that lists their
 * ids, so a write never lands on a strategy the caller did not mean.
 */
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { LibraryStrategyRecord } from "../store/library_repo.ts";
import { getOwnStrategy, type LibraryDeps, listOwnStrategies } from "./library.ts";
import {
  listVersions,
  promote,
  rollback,
  stage,
  type StrategyView,
  type VersionView,
} from "./library_views.ts";

/** Strategies of one user looked at per page when searching by name. */
const NAME_SCAN_PAGE = 200;
/** Most strategies of one user searched by name (pages × page size). */
const NAME_SCAN_MAX = 5_000;

/** The caller's strategies named `name` (case-insensitive), newest first. */
async function ownStrategiesNamed(
  deps: LibraryDeps,
  userId: string,
  name: string,
): Promise<LibraryStrategyRecord[]> {
  const key = name.toLowerCase();
  const found: LibraryStrategyRecord[] = [];
  for (let offset = 0; offset < NAME_SCAN_MAX; offset += NAME_SCAN_PAGE) {
    const page = await listOwnStrategies(deps, userId, { limit: NAME_SCAN_PAGE, offset });
    found.push(...page.items.filter((s) => s.name.toLowerCase() === key));
    if (offset + NAME_SCAN_PAGE >= page.total) break;
  }
  return found;
}

/**
 * The caller's one strategy named `name`, or `null` when none is; several is a `ConflictError` naming their ids.
 */
export async function findOwnStrategyByName(
  deps: LibraryDeps,
  userId: string,
  name: string,
): Promise<LibraryStrategyRecord | null> {
  const found = await ownStrategiesNamed(deps, userId, name);
  if (found.length > 1) {
    throw new ConflictError(
      `${found.length} of your strategies are named "${name}" (${
        found.map((s) => s.id).join(", ")
      }): rename all but one, or act on one by its id in the library`,
    );
  }
  return found[0] ?? null;
}

/** The caller's one strategy named `name`; none is "not found", several a conflict. */
async function ownStrategyByName(deps: LibraryDeps, userId: string, name: string) {
  const s = await findOwnStrategyByName(deps, userId, name);
  if (!s) throw new NotFoundError(`You have no saved strategy named "${name}"`);
  return s;
}

/** Marks `version` (default: the latest) of my strategy `name` as staging. */
export async function stageByName(
  deps: LibraryDeps,
  userId: string,
  name: string,
  version?: number,
): Promise<StrategyView> {
  const s = await ownStrategyByName(deps, userId, name);
  return await stage(deps, userId, s.id, version ?? s.latest_version);
}

/** Promotes the staging version of my strategy `name` to production. */
export async function promoteByName(deps: LibraryDeps, userId: string, name: string): Promise<StrategyView> {
  return await promote(deps, userId, (await ownStrategyByName(deps, userId, name)).id);
}

/** Rolls production of my strategy `name` back to the previous production version. */
export async function rollbackByName(deps: LibraryDeps, userId: string, name: string): Promise<StrategyView> {
  return await rollback(deps, userId, (await ownStrategyByName(deps, userId, name)).id);
}

/** A model-registry stage, as MLflow names them. */
export type ModelStage = "Production" | "Staging" | "Archived" | "None";

/** One version of a model: the library version and its stage. */
export interface ModelVersionView extends VersionView {
  /** `Production`, `Staging`, `Archived` (an earlier production version, the rollback targets) or `None`. */
  current_stage: ModelStage;
}

/** The stage of `version` of strategy `s`. */
function stageOf(s: LibraryStrategyRecord, version: number): ModelStage {
  if (s.production_version === version) return "Production";
  if (s.staging_version === version) return "Staging";
  if (s.production_history.includes(version)) return "Archived";
  return "None";
}

/**
 * The versions of my strategy `id` (newest first, as the library lists them), each with its stage, and the
 * version a rollback would return production to (`null`: none).
 */
export async function versionsWithStages(
  deps: LibraryDeps,
  userId: string,
  id: string,
  page: PageRequest,
): Promise<Page<ModelVersionView> & { model_name: string; strategy_id: string; rollback_to: number | null }> {
  const versions = await listVersions(deps, userId, id, page);
  const s = await getOwnStrategy(deps, userId, id);
  return {
    model_name: s.name,
    strategy_id: s.id,
    rollback_to: s.production_history.at(-1) ?? null,
    ...versions,
    items: versions.items.map((v) => ({ ...v, current_stage: stageOf(s, v.version) })),
  };
}

/** The versions of my strategy `name` (newest first, as the library lists them), each with its stage. */
export async function modelVersions(
  deps: LibraryDeps,
  userId: string,
  name: string,
  page: PageRequest,
): Promise<Page<ModelVersionView> & { model_name: string; strategy_id: string }> {
  const found = await ownStrategyByName(deps, userId, name);
  const { rollback_to: _, ...view } = await versionsWithStages(deps, userId, found.id, page);
  return view;
}
