/**
 * Stable integer aliases for string ids. Quantedge's records are keyed by string ids (UUIDs, slugs); some
 * product documents' clients hold integer ids (`"strategy_id": 123`). Each record that such a client sees gets
 * one integer per kind, allocated on first sight from a per-kind counter (1, 2, 3, …) and never reused or
 * changed, so an integer a client stored keeps naming the same record.
 */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";

/** The record families that carry integer aliases. */
export type IntegerAliasKind = "user" | "library_strategy" | "backtest" | "leaderboard_entry";

/** The most attempts one allocation makes against concurrent allocations of the same kind. */
const MAX_ALLOCATION_ATTEMPTS = 64;

/** Persistence of integer aliases. */
export interface IntegerAliasRepo {
  /** The alias of `id`, allocating the next integer of `kind` on first use (idempotent, race-safe). */
  aliasFor(kind: IntegerAliasKind, id: string): Promise<number>;
  /** The aliases of many ids, allocating the missing ones, in order. */
  aliasesFor(kind: IntegerAliasKind, ids: readonly string[]): Promise<number[]>;
  /** The id an alias names; `null` when none was ever allocated. */
  idFor(kind: IntegerAliasKind, n: number): Promise<string | null>;
}

/** Creates the KV-backed integer alias repository. */
export function createIntegerAliasRepo(kv: Deno.Kv): IntegerAliasRepo {
  async function aliasFor(kind: IntegerAliasKind, id: string): Promise<number> {
    for (let attempt = 0; attempt < MAX_ALLOCATION_ATTEMPTS; attempt++) {
      const [existing, counter] = await kv.getMany<[number, Deno.KvU64]>([
        keys.integerAliasById(kind, id),
        keys.integerAliasCounter(kind),
      ]);
      if (existing.value !== null) return existing.value;
      const next = Number(counter.value?.value ?? 0n) + 1;
      const res = await kv.atomic()
        .check(existing)
        .check(counter)
        .set(keys.integerAliasCounter(kind), new Deno.KvU64(BigInt(next)))
        .set(keys.integerAliasById(kind, id), next)
        .set(keys.integerAliasByNumber(kind, next), id)
        .commit();
      if (res.ok) return next;
    }
    throw new ConflictError(
      `Could not allocate an integer alias for ${kind} "${id}": too many concurrent writers`,
    );
  }
  return {
    aliasFor,
    async aliasesFor(kind, ids) {
      const out: number[] = [];
      for (const id of ids) out.push(await aliasFor(kind, id));
      return out;
    },
    async idFor(kind, n) {
      if (!Number.isSafeInteger(n) || n < 1) return null;
      return (await kv.get<string>(keys.integerAliasByNumber(kind, n))).value;
    },
  };
}
