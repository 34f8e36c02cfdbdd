/** `createPortfolioRepo` on a real (in-memory) KV: limits, the active index, updates, delete, run records. */
import assert from "node:assert/strict";
import { ConflictError, ForbiddenError } from "../../../domain/errors.ts";
import { keys } from "../../../domain/store/keys.ts";
import {
  createPortfolioRepo,
  MAX_PORTFOLIOS_PER_USER,
  type PortfolioRecord,
  type PortfolioRepo,
  type PortfolioRunRecord,
} from "../../../domain/store/portfolio_repo.ts";

const T0 = Date.UTC(2026, 4, 14);

function record(id: string, owner = "usr_a", overrides: Partial<PortfolioRecord> = {}): PortfolioRecord {
  return {
    id,
    owner_id: owner,
    name: `p ${id}`,
    universe: "hs300",
    weighting: "equal",
    top_n: 50,
    status: "draft",
    members: [],
    strategy_slug: null,
    created_at: T0,
    updated_at: T0,
    activated_at: null,
    paused_at: null,
    ...overrides,
  };
}

function run(
  id: string,
  date: string,
  status: PortfolioRunRecord["status"] = "submitted",
): PortfolioRunRecord {
  return {
    portfolio_id: id,
    trade_date: date,
    status,
    attempts: 1,
    values_date: null,
    stock_count: null,
    signal_hash: null,
    error: null,
    updated_at: T0,
  };
}

async function withRepo(fn: (repo: PortfolioRepo, kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createPortfolioRepo(kv), kv);
  } finally {
    kv.close();
  }
}

Deno.test("create: owner index newest first, a duplicate id is 409, the per-user limit is 403", () =>
  withRepo(async (repo) => {
    await repo.create(record("pf_01"));
    await repo.create(record("pf_02"));
    await repo.create(record("pf_03", "usr_b"));
    assert.deepEqual((await repo.listByOwner("usr_a")).map((p) => p.id), ["pf_02", "pf_01"]);
    await assert.rejects(() => repo.create(record("pf_01")), ConflictError);
    for (let i = 2; i < MAX_PORTFOLIOS_PER_USER; i++) {
      await repo.create(record(`pf_1${String(i).padStart(2, "0")}`));
    }
    await assert.rejects(() => repo.create(record("pf_999")), ForbiddenError);
    await repo.delete("pf_01");
    await repo.create(record("pf_999")); // a deletion frees a place
  }));

Deno.test("update keeps the active index in step with the status; change may refuse", () =>
  withRepo(async (repo) => {
    await repo.create(record("pf_01"));
    await repo.create(record("pf_02", "usr_b", { status: "active" }));
    assert.deepEqual((await repo.listActive()).map((p) => p.id), ["pf_02"]);
    await repo.update("pf_01", (p) => ({ ...p, status: "active" }));
    assert.deepEqual((await repo.listActive()).map((p) => p.id), ["pf_01", "pf_02"]);
    await repo.update("pf_02", (p) => ({ ...p, status: "paused" }));
    assert.deepEqual((await repo.listActive()).map((p) => p.id), ["pf_01"]);
    await assert.rejects(
      () =>
        repo.update("pf_01", () => {
          throw new ConflictError("no");
        }),
      ConflictError,
    );
    assert.equal(await repo.update("pf_missing", (p) => p), null);
  }));

Deno.test("runs: one per portfolio and date, the latest by date; delete removes record, indexes and runs", () =>
  withRepo(async (repo, kv) => {
    await repo.create(record("pf_01", "usr_a", { status: "active" }));
    assert.equal(await repo.latestRun("pf_01"), null);
    await repo.putRun(run("pf_01", "2026-05-13"));
    await repo.putRun(run("pf_01", "2026-05-14", "failed"));
    await repo.putRun({ ...run("pf_01", "2026-05-14"), attempts: 2 });
    assert.equal((await repo.getRun("pf_01", "2026-05-14"))!.attempts, 2);
    assert.equal((await repo.latestRun("pf_01"))!.trade_date, "2026-05-14");
    await repo.delete("pf_01");
    assert.equal(await repo.get("pf_01"), null);
    assert.deepEqual(await repo.listActive(), []);
    assert.deepEqual(await repo.listByOwner("usr_a"), []);
    let left = 0;
    for await (const _ of kv.list({ prefix: keys.portfolioRuns("pf_01") })) left++;
    assert.equal(left, 0);
    assert.equal((await kv.get<Deno.KvU64>(keys.portfolioCount("usr_a"))).value?.value, 0n);
  }));
