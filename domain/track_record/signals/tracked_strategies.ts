/**
 * Tracked strategies: create (slug unique across users, tier limit on non-retired ones), read, list, update the
 * few mutable fields, and the status machine pending→retired; active→paused|retired; paused→active|retired;
 * retired is terminal; pending→active only through a first signal.
 */
import { iso, isoOrNull } from "../../iso_time.ts";
import { newId } from "../../tokens_and_hashes.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../../errors.ts";
import type { AuditEntry, AuditEvent } from "../../store/audit_repo.ts";
import type {
  TrackedStatus,
  TrackedStrategyRecord,
  TrackedUniverse,
} from "../../store/tracked_strategy_repo.ts";
import { dateInZone } from "../../calendar/dates.ts";
import type { TrackRecordServices } from "../services.ts";

/** The exchange time zone every tracked-strategy date is in. */
export const CST_ZONE = "Asia/Shanghai";

/** Slug rule: 3–49 characters, lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{2,48}$/;

/** The benchmark index of each universe a tracked strategy can name (`etf_all` has none: CSI 300 stands in). */
export const TRACKED_BENCHMARKS: Readonly<Record<TrackedUniverse, string>> = {
  hs300: "000300.SH",
  csi500: "000905.SH",
  csi1000: "000852.SH",
  csi2000: "932000.CSI",
  etf_all: "000300.SH",
};

/** Fields of a new tracked strategy (defaults already applied by the caller's schema). */
export interface CreateTrackedInput {
  name: string;
  slug: string;
  description?: string | null;
  universe: TrackedUniverse;
  execution_price: "open" | "close";
  holding_period: number;
  initial_capital: number;
  commission_rate: number;
  slippage_rate: number;
  is_demo?: boolean;
  /** The portfolio creating its platform-managed strategy (only such a strategy may use the `mf-` prefix). */
  managed_by?: string | null;
}

/** Slug prefix reserved for the strategies of multi-factor portfolios. */
export const MANAGED_SLUG_PREFIX = "mf-";

/**
 * Who is acting on a strategy: the owner (no option) or the platform on behalf of portfolio `managedBy`. A
 * strategy managed by a portfolio refuses the owner's signal submission, withdrawal and status changes (400);
 * the platform path must name the portfolio the strategy is managed by (a record without `managed_by`, made
 * before the field existed, accepts it too).
 */
export interface ManagedOption {
  managedBy?: string;
}

/** Refuses `action` on `r` unless the caller is allowed to act on it (see `ManagedOption`). */
export function assertManagedAccess(
  r: Pick<TrackedStrategyRecord, "slug" | "managed_by">,
  action: string,
  opts: ManagedOption = {},
): void {
  const managedBy = r.managed_by ?? null;
  if (opts.managedBy === undefined) {
    if (managedBy !== null) {
      throw new BadRequestError(
        `Cannot ${action}: strategy "${r.slug}" is managed by portfolio ${managedBy}: its signals are generated ` +
          `by the platform (pause, resume or delete the portfolio instead)`,
      );
    }
    return;
  }
  if (managedBy !== null && managedBy !== opts.managedBy) {
    throw new BadRequestError(
      `Cannot ${action}: strategy "${r.slug}" is managed by portfolio ${managedBy}, not ${opts.managedBy}`,
    );
  }
}

/** The mutable fields. */
export interface PatchTrackedInput {
  name?: string;
  description?: string | null;
  status?: TrackedStatus;
  is_public?: boolean;
}

/** A tracked strategy as the API shows it. */
export interface TrackedStrategyView {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  universe: TrackedUniverse;
  benchmark: string;
  execution_price: "open" | "close";
  holding_period: number;
  initial_capital: number;
  commission_rate: number;
  slippage_rate: number;
  status: TrackedStatus;
  is_public: boolean;
  is_demo: boolean;
  start_date: string | null;
  activated_at: string | null;
  retired_at: string | null;
  created_at: string;
  updated_at: string;
  /** The portfolio managing this strategy (see `ManagedOption`), null for a user's own strategy. */
  managed_by: string | null;
}

/** The API view of a record. */
export function toTrackedView(r: TrackedStrategyRecord): TrackedStrategyView {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    universe: r.universe,
    benchmark: TRACKED_BENCHMARKS[r.universe],
    execution_price: r.execution_price,
    holding_period: r.holding_period,
    initial_capital: r.initial_capital,
    commission_rate: r.commission_rate,
    slippage_rate: r.slippage_rate,
    status: r.status,
    is_public: r.is_public,
    is_demo: r.is_demo,
    start_date: r.start_date,
    activated_at: isoOrNull(r.activated_at),
    retired_at: isoOrNull(r.retired_at),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    managed_by: r.managed_by ?? null,
  };
}

/** A new audit entry recorded now, dated today (CST) unless `date` is given; for a write that commits it. */
export function auditEntry(
  deps: Pick<TrackRecordServices, "clock">,
  event: AuditEvent,
  detail: string,
  data: Record<string, unknown> | null = null,
  date?: string,
): AuditEntry {
  const now = deps.clock.now();
  return { id: newId("aud", now), at: now, date: date ?? dateInZone(now, CST_ZONE), event, detail, data };
}

/** Appends an audit entry dated today (CST) unless `date` is given. */
export async function audit(
  deps: TrackRecordServices,
  slug: string,
  event: AuditEvent,
  detail: string,
  data: Record<string, unknown> | null = null,
  date?: string,
): Promise<void> {
  await deps.audit.append(slug, auditEntry(deps, event, detail, data, date));
}

/** Creates a pending, public strategy for `ownerId`; 409 when the slug is taken, 403 at the tier limit. */
export async function createTrackedStrategy(
  deps: TrackRecordServices,
  ownerId: string,
  maxLive: number,
  input: CreateTrackedInput,
): Promise<TrackedStrategyRecord> {
  if (!SLUG_PATTERN.test(input.slug)) {
    throw new BadRequestError(`Invalid slug "${input.slug}": expected ${SLUG_PATTERN.source}`);
  }
  if (!input.managed_by && input.slug.startsWith(MANAGED_SLUG_PREFIX)) {
    throw new ValidationError(
      `Slug "${input.slug}": the prefix "${MANAGED_SLUG_PREFIX}" is reserved for multi-factor portfolios`,
      ["slug"],
    );
  }
  const now = deps.clock.now();
  const record: TrackedStrategyRecord = {
    id: newId("trk", now),
    slug: input.slug,
    owner_id: ownerId,
    name: input.name,
    description: input.description ?? null,
    universe: input.universe,
    execution_price: input.execution_price,
    holding_period: input.holding_period,
    initial_capital: input.initial_capital,
    commission_rate: input.commission_rate,
    slippage_rate: input.slippage_rate,
    status: "pending",
    is_public: true,
    is_demo: input.is_demo ?? false,
    created_at: now,
    updated_at: now,
    activated_at: null,
    start_date: null,
    retired_at: null,
    managed_by: input.managed_by ?? null,
  };
  await deps.strategies.create(record, maxLive);
  await audit(
    deps,
    record.slug,
    "CREATED",
    `Strategy created (${record.universe}, ${record.execution_price})`,
    {
      holding_period: record.holding_period,
      initial_capital: record.initial_capital,
      commission_rate: record.commission_rate,
      slippage_rate: record.slippage_rate,
    },
  );
  return record;
}

/** The caller's own strategy; someone else's or a missing one is "not found". */
export async function getOwnTracked(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<TrackedStrategyRecord> {
  const r = await deps.strategies.get(slug);
  if (!r || r.owner_id !== ownerId) throw new NotFoundError(`Strategy "${slug}" not found`);
  return r;
}

/** The caller's strategies, newest first, optionally of one status. */
export async function listOwnTracked(
  deps: TrackRecordServices,
  ownerId: string,
  status?: TrackedStatus,
): Promise<TrackedStrategyRecord[]> {
  const all = await deps.strategies.listByOwner(ownerId);
  return all.filter((r) => !status || r.status === status).sort((a, b) => b.created_at - a.created_at);
}

const ALLOWED: Readonly<Record<TrackedStatus, readonly TrackedStatus[]>> = {
  pending: ["retired"],
  active: ["paused", "retired"],
  paused: ["active", "retired"],
  retired: [],
};

/** Whether a user may move a strategy from `from` to `to` (pending→active happens only by a first signal). */
export function isAllowedTransition(from: TrackedStatus, to: TrackedStatus): boolean {
  return from === to ? from !== "retired" : ALLOWED[from].includes(to);
}

/**
 * Applies a patch; an illegal status change is a `BadRequestError`, and so is a status change of a strategy
 * managed by a portfolio unless `opts.managedBy` names it (name, description and is_public stay the owner's).
 */
export async function patchTracked(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  patch: PatchTrackedInput,
  opts: ManagedOption = {},
): Promise<TrackedStrategyRecord> {
  await getOwnTracked(deps, ownerId, slug);
  const now = deps.clock.now();
  let from: TrackedStatus | null = null;
  const next = await deps.strategies.update(slug, (current) => {
    if (current.status === "retired") {
      throw new BadRequestError(`Strategy "${slug}" is retired and can no longer change`);
    }
    if (patch.status !== undefined) assertManagedAccess(current, "change the status", opts);
    if (patch.status !== undefined && !isAllowedTransition(current.status, patch.status)) {
      throw new BadRequestError(
        current.status === "pending" && patch.status === "active"
          ? `Strategy "${slug}" becomes active with its first signal`
          : `Cannot change status from ${current.status} to ${patch.status}`,
      );
    }
    from = current.status;
    return {
      ...current,
      name: patch.name ?? current.name,
      description: patch.description !== undefined ? patch.description : current.description,
      is_public: patch.is_public ?? current.is_public,
      status: patch.status ?? current.status,
      retired_at: patch.status === "retired" ? now : current.retired_at,
      updated_at: now,
    };
  });
  if (!next) throw new NotFoundError(`Strategy "${slug}" not found`);
  if (from !== null && from !== next.status) {
    await audit(deps, slug, "STATUS_CHANGED", `Status ${from} → ${next.status}`, { from, to: next.status });
  }
  return next;
}
