/**
 * What a client sees of the strategy library: the strategy and version views, and the operations that answer
 * them (save from any source shape, list, read, delete, publish, versions, stages, text export).
 */
import { toBacktraderCode } from "./backtrader/backtrader_export.ts";
import { iso } from "../iso_time.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { LibraryStrategyRecord, LibraryVersionRecord } from "../store/library_repo.ts";
import {
  deleteStrategy,
  getOwnStrategy,
  getOwnVersion,
  type LibraryDeps,
  listOwnStrategies,
  promoteStaging,
  rollbackProduction,
  saveStrategy,
  setStrategyVisibility,
  stageVersion,
} from "./library.ts";
import type { StrategySpec } from "./spec.ts";
import { resolveSpec, type SpecSources } from "./strategy_source.ts";

/** One saved strategy. */
export interface StrategyView {
  id: string;
  name: string;
  prompt: string | null;
  latest_version: number;
  staging_version: number | null;
  production_version: number | null;
  is_public: boolean;
  created_at: string;
  updated_at: string;
}

/** One version of a saved strategy. */
export interface VersionView {
  version: number;
  spec: StrategySpec;
  generated_code: string;
  created_at: string;
}

/** The view of a strategy record. */
function strategyView(s: LibraryStrategyRecord): StrategyView {
  return {
    id: s.id,
    name: s.name,
    prompt: s.prompt,
    latest_version: s.latest_version,
    staging_version: s.staging_version,
    production_version: s.production_version,
    is_public: s.is_public === true,
    created_at: iso(s.created_at),
    updated_at: iso(s.updated_at),
  };
}

/** The view of a version record. */
function versionView(v: LibraryVersionRecord): VersionView {
  return {
    version: v.version,
    spec: v.spec,
    generated_code: v.generated_code,
    created_at: iso(v.created_at),
  };
}

/** A save request: a name, an optional prompt, one strategy source, and optionally the strategy it versions. */
export interface SaveRequest extends SpecSources {
  name: string;
  prompt?: string | null;
  strategy_id?: string;
}

/** Saves a strategy (or a new version of one of mine); error paths are relative to `input`. */
export async function saveFromSource(
  deps: LibraryDeps,
  userId: string,
  input: SaveRequest,
): Promise<{ message: string; strategy_id: string; version: number }> {
  const saved = await saveStrategy(deps, userId, {
    name: input.name,
    prompt: input.prompt,
    spec: resolveSpec(input),
    strategyId: input.strategy_id,
  });
  return {
    message: "Strategy saved successfully",
    strategy_id: saved.strategy.id,
    version: saved.version.version,
  };
}

/** My strategies, newest first. */
export async function listStrategies(
  deps: LibraryDeps,
  userId: string,
  page: PageRequest,
): Promise<Page<StrategyView>> {
  const found = await listOwnStrategies(deps, userId, page);
  return { ...found, items: found.items.map(strategyView) };
}

/**
 * One of my strategies with its latest version; the latest version also carries `backtrader_code`, the strategy
 * as backtrader Python (`toBacktraderCode`), beside its strategy text `generated_code`.
 */
export async function strategyDetail(
  deps: LibraryDeps,
  userId: string,
  id: string,
): Promise<StrategyView & { latest: VersionView & { backtrader_code: string } }> {
  const s = await getOwnStrategy(deps, userId, id);
  const v = await getOwnVersion(deps, userId, id);
  return { ...strategyView(s), latest: { ...versionView(v), backtrader_code: toBacktraderCode(v.spec) } };
}

/** Deletes one of my strategies (soft). */
export async function removeStrategy(
  deps: LibraryDeps,
  userId: string,
  id: string,
): Promise<{ message: string }> {
  await deleteStrategy(deps, userId, id);
  return { message: "Strategy deleted" };
}

/** Publishes or withdraws one of my strategies. */
export async function publishStrategy(
  deps: LibraryDeps,
  userId: string,
  id: string,
  isPublic: boolean,
): Promise<StrategyView> {
  return strategyView(await setStrategyVisibility(deps, userId, id, isPublic));
}

/** Versions of one of my strategies. */
export async function listVersions(
  deps: LibraryDeps,
  userId: string,
  id: string,
  page: PageRequest,
): Promise<Page<VersionView>> {
  await getOwnStrategy(deps, userId, id);
  const found = await deps.library.listVersions(id, page);
  return { ...found, items: found.items.map(versionView) };
}

/** Marks a version of my strategy as staging. */
export async function stage(deps: LibraryDeps, userId: string, id: string, version: number) {
  return strategyView(await stageVersion(deps, userId, id, version));
}

/** Promotes the staging version of my strategy to production. */
export async function promote(deps: LibraryDeps, userId: string, id: string) {
  return strategyView(await promoteStaging(deps, userId, id));
}

/** Rolls production of my strategy back to the previous production version. */
export async function rollback(deps: LibraryDeps, userId: string, id: string) {
  return strategyView(await rollbackProduction(deps, userId, id));
}

/** The strategy text of my strategy's latest version, as a file. */
export async function strategyTextFile(
  deps: LibraryDeps,
  userId: string,
  id: string,
): Promise<{ filename: string; text: string }> {
  const v = await getOwnVersion(deps, userId, id);
  return { filename: `${id}-v${v.version}.strategy.txt`, text: `# ${id} v${v.version}\n${v.generated_code}` };
}
