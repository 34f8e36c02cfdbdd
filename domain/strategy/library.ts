/**
 * The strategy library: save a strategy (a new id, or a new immutable version of one of mine), list, read,
 * soft-delete, and move versions through stages — `staging`, then `production` (promote), with rollback to the
 * previous production version. A strategy is in the public catalog only while it is promoted and its owner has
 * published it (`is_public`, off by default).
 */
import type { Clock } from "../clock.ts";
import { newId } from "../tokens_and_hashes.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { LibraryRepo, LibraryStrategyRecord, LibraryVersionRecord } from "../store/library_repo.ts";
import type { StrategySpec } from "./spec.ts";
import { toStrategyText } from "./strategy_text.ts";

/** What the library needs. */
export interface LibraryDeps {
  library: LibraryRepo;
  clock: Clock;
}

/** Saves `spec` as a new strategy, or as the next version of `strategyId` (which must be mine). */
export async function saveStrategy(
  deps: LibraryDeps,
  userId: string,
  input: { name: string; prompt?: string | null; spec: StrategySpec; strategyId?: string },
): Promise<{ strategy: LibraryStrategyRecord; version: LibraryVersionRecord }> {
  const now = deps.clock.now();
  const generated = toStrategyText({ ...input.spec, name: input.name });
  if (input.strategyId) {
    const existing = await getOwnStrategy(deps, userId, input.strategyId);
    const version = await deps.library.addVersion(existing.id, (v) => ({
      strategy_id: existing.id,
      version: v,
      spec: { ...input.spec, name: input.name },
      generated_code: generated,
      created_at: now,
    }), now);
    const strategy = await deps.library.update(existing.id, (s) => ({
      ...s,
      name: input.name,
      prompt: input.prompt ?? s.prompt,
      updated_at: now,
    }));
    return { strategy, version };
  }
  const id = newId("strat", now);
  const strategy: LibraryStrategyRecord = {
    id,
    user_id: userId,
    name: input.name,
    prompt: input.prompt ?? null,
    deleted: false,
    latest_version: 1,
    staging_version: null,
    production_version: null,
    production_history: [],
    is_public: false,
    created_at: now,
    updated_at: now,
  };
  const version: LibraryVersionRecord = {
    strategy_id: id,
    version: 1,
    spec: { ...input.spec, name: input.name },
    generated_code: generated,
    created_at: now,
  };
  await deps.library.create(strategy, version);
  return { strategy, version };
}

/** One of my strategies (deleted or someone else's is "not found"). */
export async function getOwnStrategy(
  deps: LibraryDeps,
  userId: string,
  id: string,
): Promise<LibraryStrategyRecord> {
  const s = await deps.library.get(id);
  if (!s || s.user_id !== userId || s.deleted) throw new NotFoundError(`Strategy "${id}" not found`);
  return s;
}

/** A version of one of my strategies (default: the latest). */
export async function getOwnVersion(
  deps: LibraryDeps,
  userId: string,
  id: string,
  version?: number,
): Promise<LibraryVersionRecord> {
  const s = await getOwnStrategy(deps, userId, id);
  const v = await deps.library.getVersion(id, version ?? s.latest_version);
  if (!v) throw new NotFoundError(`Strategy "${id}" has no version ${version}`);
  return v;
}

/** My strategies, newest first. */
export function listOwnStrategies(
  deps: LibraryDeps,
  userId: string,
  page: PageRequest,
): Promise<Page<LibraryStrategyRecord>> {
  return deps.library.listByUser(userId, page);
}

/** Soft-deletes one of my strategies (its versions stay, for anything that references them). */
export async function deleteStrategy(deps: LibraryDeps, userId: string, id: string): Promise<void> {
  await getOwnStrategy(deps, userId, id);
  const now = deps.clock.now();
  await deps.library.update(id, (s) => ({ ...s, deleted: true, updated_at: now }));
}

/** Marks `version` as staging. */
export async function stageVersion(deps: LibraryDeps, userId: string, id: string, version: number) {
  await getOwnVersion(deps, userId, id, version);
  const now = deps.clock.now();
  return await deps.library.update(id, (s) => ({ ...s, staging_version: version, updated_at: now }));
}

/** Promotes the staging version to production (the old production version is remembered for rollback). */
export async function promoteStaging(deps: LibraryDeps, userId: string, id: string) {
  const s0 = await getOwnStrategy(deps, userId, id);
  if (s0.staging_version === null) throw new BadRequestError("Nothing is staged: stage a version first");
  const now = deps.clock.now();
  return await deps.library.update(id, (s) => {
    if (s.staging_version === null) throw new BadRequestError("Nothing is staged: stage a version first");
    return {
      ...s,
      production_history: s.production_version !== null
        ? [...s.production_history, s.production_version]
        : s.production_history,
      production_version: s.staging_version,
      staging_version: null,
      updated_at: now,
    };
  });
}

/** Rolls production back to the previous production version. */
export async function rollbackProduction(deps: LibraryDeps, userId: string, id: string) {
  const s0 = await getOwnStrategy(deps, userId, id);
  if (s0.production_history.length === 0) {
    throw new BadRequestError("No earlier production version to roll back to");
  }
  const now = deps.clock.now();
  return await deps.library.update(id, (s) => {
    const previous = s.production_history.at(-1);
    if (previous === undefined) throw new BadRequestError("No earlier production version to roll back to");
    return {
      ...s,
      production_version: previous,
      production_history: s.production_history.slice(0, -1),
      updated_at: now,
    };
  });
}

/** Publishes (`true`) or withdraws (`false`) one of my strategies from the public catalog. */
export async function setStrategyVisibility(
  deps: LibraryDeps,
  userId: string,
  id: string,
  isPublic: boolean,
) {
  await getOwnStrategy(deps, userId, id);
  const now = deps.clock.now();
  return await deps.library.update(id, (s) => {
    if (s.user_id !== userId || s.deleted) throw new NotFoundError(`Strategy "${id}" not found`);
    return { ...s, is_public: isPublic, updated_at: now };
  });
}

/** `true` when `s` belongs in the public catalog: not deleted, promoted, and published by its owner. */
export function isInCatalog(s: LibraryStrategyRecord): boolean {
  return !s.deleted && s.production_version !== null && s.is_public === true;
}

/** Published, promoted strategies of all users, newest first, optionally by exact name. */
export function catalogStrategies(deps: LibraryDeps, page: PageRequest, name?: string) {
  return deps.library.listAll(
    page,
    (s) => isInCatalog(s) && (name === undefined || s.name.toLowerCase() === name.toLowerCase()),
  );
}
