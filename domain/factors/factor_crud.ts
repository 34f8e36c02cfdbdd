/**
 * Creating, listing, reading, changing and deleting factors ("Alpha Factor Library": Create Factor, List /
 * Detail / Update / Delete). Another user's factor is "not found". Only a draft or rejected factor may be
 * changed or deleted (400 otherwise).
 */
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import { chargeRate } from "../auth/rate_limiter.ts";
import {
  FACTOR_UNIVERSES,
  type FactorRecord,
  type FactorStatus,
  type FactorUniverse,
  type FactorValuesSource,
} from "../store/factor_repo.ts";
import { FACTOR_MIN_DAYS, factorDetailView, factorView } from "./factor_view_builders.ts";
import type { FactorDetailView, FactorView } from "./factor_views.ts";
import {
  computeFormulaRows,
  FORMULA_HISTORY_DAYS,
  parseFactorFormula,
  statusForValues,
} from "./formula_factor.ts";
import type { FactorServices } from "./services.ts";

/** The universes a factor can name, for the adapters' schemas (the store's list). */
export const FACTOR_UNIVERSE_NAMES: readonly [FactorUniverse, ...FactorUniverse[]] = FACTOR_UNIVERSES;

/** The rate bucket of validations and formula computations, per user. */
export const FACTOR_COMPUTE_BUCKET = "factor_compute_user";

/** `POST /factors` (already shape-checked by the adapter). */
export interface CreateFactorInput {
  name: string;
  universe: FactorUniverse;
  description?: string | null;
  expression?: string | null;
  claimed_ic_mean?: number | null;
  claimed_ic_ir?: number | null;
  values_source?: FactorValuesSource;
  history_days?: number;
}

/** The owner's factor, or 404 (also for another user's factor). */
export async function ownFactor(deps: FactorServices, userId: string, id: string): Promise<FactorRecord> {
  const r = await deps.factors.get(id);
  if (!r || r.owner_id !== userId) throw new NotFoundError("Factor not found");
  return r;
}

/**
 * Creates a factor. An uploaded factor (`values_source: upload`, the default) starts as `draft` with no values;
 * its `expression` is kept as the owner's note (self-reported, not verified). A formula factor needs
 * `expression` (a 422 at `expression` with the position when it does not parse); the platform computes its
 * values over `history_days` (default 500) trading days ending at the last completed trading day, so it is
 * `ready` at once when they reach 120 days. Creating a formula factor is charged to the caller's compute rate
 * first.
 */
export async function createFactor(
  deps: FactorServices,
  userId: string,
  input: CreateFactorInput,
): Promise<FactorView> {
  const source = input.values_source ?? "upload";
  if (source === "upload" && input.history_days !== undefined) {
    throw new ValidationError("history_days is only for formula factors (values_source: formula)", [
      "history_days",
    ]);
  }
  const now = deps.clock.now();
  const base: FactorRecord = {
    id: crypto.randomUUID(),
    owner_id: userId,
    name: input.name,
    universe: input.universe,
    description: input.description ?? null,
    expression: input.expression ?? null,
    values_source: source,
    history_days: null,
    claimed: { ic_mean: input.claimed_ic_mean ?? null, ic_ir: input.claimed_ic_ir ?? null },
    status: "draft",
    is: null,
    os: null,
    checks: null,
    reject_reason: null,
    yearly_stats: null,
    values: { total_days: 0, start_date: null, end_date: null },
    submitted_at: null,
    validated_at: null,
    activated_at: null,
    created_at: now,
    updated_at: now,
  };
  if (source === "upload") {
    await deps.factors.create(base);
    return factorView(base);
  }
  // A formula computation is charged before any check of the formula (house rule for rate-limited work).
  await chargeRate(deps.computeRate, FACTOR_COMPUTE_BUCKET, userId);
  if (input.expression === undefined || input.expression === null || input.expression.trim() === "") {
    throw new ValidationError("A formula factor needs an expression", ["expression"], "missing");
  }
  const formula = parseFactorFormula(input.expression);
  const historyDays = input.history_days ?? FORMULA_HISTORY_DAYS.default;
  const rows = await computeFormulaRows(deps, input.universe, formula, historyDays);
  const record: FactorRecord = { ...base, history_days: historyDays };
  await deps.factors.create(record);
  if (rows.length === 0) return factorView(record);
  const stored = await deps.factors.putValues(record.id, rows, (current, summary) => ({
    ...current,
    values: summary,
    status: statusForValues(summary, FACTOR_MIN_DAYS),
    updated_at: deps.clock.now(),
  }));
  return factorView(stored);
}

/** How `GET /factors` orders: newest first (default), oldest first, or by IC mean / IC IR (see `listFactors`). */
export type FactorOrder = "-created_at" | "created_at" | "ic_mean" | "ic_ir";

/** `GET /factors` filters and page. */
export interface ListFactorsInput {
  status?: FactorStatus;
  universe?: FactorUniverse;
  order?: FactorOrder;
  limit: number;
  offset: number;
}

/**
 * The caller's factors, filtered by status and universe, then ordered: `-created_at` newest first (default),
 * `created_at` oldest first, `ic_mean` / `ic_ir` by the signed in-sample value, highest first, factors without
 * one (never validated) last, newest first among equals. `total` counts the filtered factors before paging.
 */
export async function listFactors(
  deps: FactorServices,
  userId: string,
  q: ListFactorsInput,
): Promise<{ factors: FactorView[]; total: number }> {
  const all = (await deps.factors.listByOwner(userId)).filter((r) =>
    (q.status === undefined || r.status === q.status) &&
    (q.universe === undefined || r.universe === q.universe)
  );
  const newest = (a: FactorRecord, b: FactorRecord) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1);
  const order = q.order ?? "-created_at";
  const byMetric = (key: "ic_mean" | "ic_ir") => (a: FactorRecord, b: FactorRecord) => {
    const x = a.is?.[key] ?? null, y = b.is?.[key] ?? null;
    if (x === null || y === null) return x === y ? newest(a, b) : x === null ? 1 : -1;
    return y - x || newest(a, b);
  };
  const sorted = [...all].sort(
    order === "created_at"
      ? (a, b) => -newest(a, b)
      : order === "ic_mean" || order === "ic_ir"
      ? byMetric(order)
      : newest,
  );
  return { factors: sorted.slice(q.offset, q.offset + q.limit).map(factorView), total: all.length };
}

/** `GET /factors/{id}`: the view with its validation series and conventions. */
export async function getFactorDetail(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorDetailView> {
  const r = await ownFactor(deps, userId, id);
  return factorDetailView(r, await deps.factors.getSeries(id));
}

/** `PATCH /factors/{id}`. */
export interface PatchFactorInput {
  name?: string;
  description?: string | null;
  expression?: string | null;
}

const EDITABLE: readonly FactorStatus[] = ["draft", "rejected"];

function refuseUnlessEditable(r: FactorRecord, what: string): void {
  if (!EDITABLE.includes(r.status)) {
    throw new BadRequestError(`Factor status is ${r.status}; only draft or rejected factors can be ${what}`);
  }
}

/**
 * Changes name, description or expression of a draft or rejected factor (400 otherwise). The expression of a
 * formula factor defines its values and cannot change (400: create a new factor).
 */
export async function patchFactor(
  deps: FactorServices,
  userId: string,
  id: string,
  input: PatchFactorInput,
): Promise<FactorView> {
  const r = await ownFactor(deps, userId, id);
  refuseUnlessEditable(r, "changed");
  if (r.values_source === "formula" && input.expression !== undefined && input.expression !== r.expression) {
    throw new BadRequestError(
      "The expression of a formula factor defines its values and cannot change; create a new factor",
    );
  }
  const stored = await deps.factors.update(id, (current) => {
    refuseUnlessEditable(current, "changed");
    return {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.expression !== undefined ? { expression: input.expression } : {}),
      updated_at: deps.clock.now(),
    };
  });
  if (!stored) throw new NotFoundError("Factor not found");
  return factorView(stored);
}

/** Deletes a draft or rejected factor with its values and series (400 otherwise). */
export async function deleteFactor(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<{ deleted: true; id: string }> {
  const r = await ownFactor(deps, userId, id);
  refuseUnlessEditable(r, "deleted");
  await deps.factors.delete(id);
  return { deleted: true, id };
}
