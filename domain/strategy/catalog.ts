/**
 * The public catalog as clients see it: each promoted, published strategy with its author's nickname (never an
 * email) and the text of its production version; listed page by page, or every one with a name.
 */
import { BUILTIN_STRATEGIES, type BuiltinStrategy } from "./builtin_strategies.ts";
import { iso } from "../iso_time.ts";
import { NotFoundError } from "../errors.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { LibraryStrategyRecord } from "../store/library_repo.ts";
import type { UserRepo } from "../store/user_repo.ts";
import { catalogStrategies, type LibraryDeps } from "./library.ts";

/** Nickname of a user, or `null` (the catalog never shows emails). */
export type NicknameOf = (userId: string) => Promise<string | null>;

/** Reads nicknames from the user records. */
export function nicknamesFrom(users: Pick<UserRepo, "get">): NicknameOf {
  return async (userId) => (await users.get(userId))?.nickname ?? null;
}

/** What the catalog needs. */
export interface CatalogDeps {
  library: LibraryDeps;
  nicknameOf: NicknameOf;
}

/** One catalog strategy. */
export interface CatalogItem {
  id: string;
  name: string;
  author: string | null;
  production_version: number;
  generated_code: string;
  updated_at: string;
}

/** Most strategies looked at for one name. */
const BY_NAME_LIMIT = 200;

/** The catalog view of a promoted strategy. */
async function catalogItem(deps: CatalogDeps, s: LibraryStrategyRecord): Promise<CatalogItem> {
  const v = await deps.library.library.getVersion(s.id, s.production_version!);
  return {
    id: s.id,
    name: s.name,
    author: await deps.nicknameOf(s.user_id),
    production_version: s.production_version!,
    generated_code: v?.generated_code ?? "",
    updated_at: iso(s.updated_at),
  };
}

/** A page of the catalog, newest first, with the built-in strategies every user can name beside it. */
export async function catalogPage(
  deps: CatalogDeps,
  page: PageRequest,
): Promise<Page<CatalogItem> & { builtins: BuiltinStrategy[] }> {
  const found = await catalogStrategies(deps.library, page);
  const items = await Promise.all(found.items.map((s) => catalogItem(deps, s)));
  return { ...found, items, builtins: [...BUILTIN_STRATEGIES] };
}

/** Every catalog strategy named `name` (case-insensitive); none is "not found". */
export async function catalogByName(deps: CatalogDeps, name: string): Promise<{ items: CatalogItem[] }> {
  const found = await catalogStrategies(deps.library, { limit: BY_NAME_LIMIT, offset: 0 }, name);
  if (found.items.length === 0) throw new NotFoundError(`No promoted strategy named "${name}"`);
  return { items: await Promise.all(found.items.map((s) => catalogItem(deps, s))) };
}
