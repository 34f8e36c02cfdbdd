/**
 * Backtest jobs: the job record (status, progress, summary), a per-user index, and the finished report stored
 * as a chunked blob. A job is created and its queue message enqueued in one atomic commit; every change of a job
 * also sets the `["stream_changed", "backtest_jobs"]` marker in the same commit (see jobs/stream_bridge.ts).
 */
import type { BacktestReport } from "../backtest/report.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import {
  JOB_PROGRESS_STREAM,
  USER_TRADE_FEED_CHUNK,
  USER_TRADE_FEED_TTL_MS,
  USER_TRADES_STREAM,
} from "./stream_repo.ts";
import { keys } from "./keys.ts";
import { getBlob, getManyValues, type Page, pageIndex, type PageRequest, putBlob } from "./kv.ts";

/** Job states: queued → running → completed | failed | cancelled. */
export type JobStatus = "queued" | "running" | "completed" | "failed" | "cancelled";

/** A stored job. Times are epoch ms. */
export interface BacktestJobRecord {
  id: string;
  user_id: string;
  name: string;
  status: JobStatus;
  spec: StrategySpec;
  experiment_name: string | null;
  /** The library strategy and version the spec came from, if any. */
  library_id?: string | null;
  library_version?: number | null;
  priority: number;
  progress: number;
  current_date: string | null;
  trades_executed: number;
  cancel_requested: boolean;
  attempt: number;
  /** A running job whose lease has passed belongs to a worker that died: it may be claimed again. */
  lease_until: number | null;
  error: string | null;
  summary: {
    final_value: number | null;
    total_return_pct: number | null;
    total_trades: number;
    source: string;
  } | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

const jobKey = (id: string) => ["backtest_jobs", id] as const;
const byUserKey = (userId: string, id: string) => ["backtest_jobs_by_user", userId, id] as const;
const reportKey = (id: string) => ["backtest_reports", id] as const;
const activeKey = (id: string) => ["backtest_jobs_active", id] as const;
const activeByUserKey = (userId: string, id: string) => ["backtest_jobs_active_by_user", userId, id] as const;
const FINISHED_STATUSES: readonly JobStatus[] = ["completed", "failed", "cancelled"];

/** Persistence of backtest jobs. */
export interface BacktestJobRepo {
  /**
   * Stores a new job, marks it active, and — when `message` is given — enqueues it in the same commit (with the
   * given redelivery backoff). Without a message the job waits in the active table for a poller.
   */
  create(job: BacktestJobRecord, message?: unknown, backoffSchedule?: number[]): Promise<void>;
  /** Ids of jobs not yet finished (queued or running), oldest first. */
  listActive(limit: number): Promise<string[]>;
  /** The jobs of `userId` not yet finished (queued or running), oldest first, at most `limit`. */
  listActiveByUser(userId: string, limit: number): Promise<BacktestJobRecord[]>;
  get(id: string): Promise<BacktestJobRecord | null>;
  listByUser(userId: string, page: PageRequest, status?: JobStatus): Promise<Page<BacktestJobRecord>>;
  /**
   * Applies `change` to the current record and commits if nothing changed meanwhile (re-reads otherwise);
   * `change` may return `null` to leave the record as it is. Returns the record as stored after the call.
   * `live` trade events are written to the owner's trade feed in the same commit (entries `<entryId>:<k>` of
   * `USER_TRADE_FEED_CHUNK` events each, with the `user_trades` stream marker), when the record changes.
   */
  update(
    id: string,
    change: (job: BacktestJobRecord) => BacktestJobRecord | null,
    live?: { entryId: string; events: readonly unknown[] },
  ): Promise<BacktestJobRecord>;
  /** Stores the finished report of a job. */
  putReport(id: string, report: BacktestReport): Promise<void>;
  /** The stored report of a job, as `putReport` wrote it, or `null`. */
  getReport(id: string): Promise<BacktestReport | null>;
}

/** Creates the KV-backed job repository. */
export function createBacktestJobRepo(kv: Deno.Kv): BacktestJobRepo {
  return {
    async create(job, message, backoffSchedule) {
      let op = kv.atomic()
        .check({ key: jobKey(job.id), versionstamp: null })
        .set(jobKey(job.id), job)
        .set(byUserKey(job.user_id, job.id), job.id)
        .set(activeKey(job.id), job.id)
        .set(activeByUserKey(job.user_id, job.id), job.id);
      if (message !== undefined) op = op.enqueue(message, backoffSchedule ? { backoffSchedule } : undefined);
      const res = await op.commit();
      if (!res.ok) throw new ConflictError(`Job "${job.id}" already exists`);
    },
    async get(id) {
      return (await kv.get<BacktestJobRecord>(jobKey(id))).value;
    },
    async listActive(limit) {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: ["backtest_jobs_active"] }, { limit })) {
        ids.push(e.value);
      }
      return ids;
    },
    async listActiveByUser(userId, limit) {
      const ids: string[] = [];
      for await (
        const e of kv.list<string>({ prefix: ["backtest_jobs_active_by_user", userId] }, { limit })
      ) {
        ids.push(e.value);
      }
      const jobs = await getManyValues<BacktestJobRecord>(kv, ids.map(jobKey));
      return jobs.filter((j): j is BacktestJobRecord => j !== null && !FINISHED_STATUSES.includes(j.status));
    },
    listByUser: (userId, page, status) =>
      pageIndex<BacktestJobRecord>(kv, ["backtest_jobs_by_user", userId], jobKey, page, {
        filter: status ? (j) => j.status === status : undefined,
      }),
    async update(id, change, live) {
      for (let i = 0; i < 50; i++) {
        const entry = await kv.get<BacktestJobRecord>(jobKey(id));
        if (!entry.value) throw new NotFoundError(`Backtest "${id}" not found`);
        const next = change(structuredClone(entry.value));
        if (next === null) return entry.value;
        let op = kv.atomic().check(entry).set(jobKey(id), next);
        // The active table follows the status in the same commit, and the stream marker tells every isolate's
        // bridge that a job changed (it re-reads the jobs its sockets watch).
        op = FINISHED_STATUSES.includes(next.status)
          ? op.delete(activeKey(id)).delete(activeByUserKey(next.user_id, id))
          : op.set(activeKey(id), id).set(activeByUserKey(next.user_id, id), id);
        op = op.set(keys.streamChanged(JOB_PROGRESS_STREAM), { job_id: id, at: next.updated_at });
        if (live && live.events.length > 0) {
          for (let k = 0; k * USER_TRADE_FEED_CHUNK < live.events.length; k++) {
            const events = live.events.slice(k * USER_TRADE_FEED_CHUNK, (k + 1) * USER_TRADE_FEED_CHUNK);
            op = op.set(keys.userTradeFeed(next.updated_at, next.user_id, `${live.entryId}:${k}`), events, {
              expireIn: USER_TRADE_FEED_TTL_MS,
            });
          }
          op = op.set(keys.streamChanged(USER_TRADES_STREAM), { at: next.updated_at, user_id: next.user_id });
        }
        if ((await op.commit()).ok) return next;
      }
      throw new ConflictError(`Backtest "${id}" is changing too often, try again`);
    },
    async putReport(id, report) {
      await putBlob(kv, reportKey(id), new TextEncoder().encode(JSON.stringify(report)));
    },
    async getReport(id) {
      const bytes = await getBlob(kv, reportKey(id));
      return bytes ? JSON.parse(new TextDecoder().decode(bytes)) as BacktestReport : null;
    },
  };
}
