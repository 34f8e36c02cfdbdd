/** A stored factor record for tests and benchmarks that seed factors through the repository. */
import type { FactorRecord } from "../../domain/store/factor_repo.ts";

/**
 * A draft, uploaded hs300 factor named after its id, with nothing validated, tracked or uploaded yet, created at
 * epoch 0; `overrides` replace any field.
 */
export function factorRecord(id: string, owner: string, overrides: Partial<FactorRecord> = {}): FactorRecord {
  return {
    id,
    owner_id: owner,
    name: id,
    universe: "hs300",
    description: null,
    expression: null,
    values_source: "upload",
    history_days: null,
    claimed: { ic_mean: null, ic_ir: null },
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
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}
