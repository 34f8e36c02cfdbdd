/**
 * The history of completed synchronous backtests (`POST /api/v1/backtests/run`, `POST /api/v1/backtest`), so
 * that lists of "every executed backtest" show them beside queued jobs. Each run keeps a small summary record,
 * a per-user index (ids sort by time) and its full report as a gzip-compressed chunked blob, exactly the report
 * the caller was answered (timings aside), from which its detail is rebuilt. Only the last `keep` runs of a
 * user are kept: recording one deletes the oldest beyond that.
 */
import type { BacktestReport } from "../backtest/report.ts";
import { keys } from "./keys.ts";
import { deleteBlob, getBlob, getManyValues, putBlob } from "./kv.ts";

/** One completed synchronous run. Times are epoch ms. */
export interface SyncRunRecord {
  id: string;
  user_id: string;
  /** Which synchronous form ran it: the full report or the one-ticker quick form. */
  form: "report" | "ticker";
  /** The strategy's name. */
  name: string;
  /** What built the strategy: `rules` (spec, strategy text, blueprint, agent config) or an LLM provider. */
  backend: string;
  start_date: string;
  end_date: string;
  initial_capital: number;
  final_value: number | null;
  total_return_pct: number | null;
  total_trades: number;
  created_at: number;
}

/** Persistence of the synchronous-run history. */
export interface SyncRunRepo {
  /** Stores `run` and its report, then deletes the user's runs beyond the newest `keep`. */
  record(run: SyncRunRecord, report: BacktestReport, keep: number): Promise<void>;
  get(id: string): Promise<SyncRunRecord | null>;
  getReport(id: string): Promise<BacktestReport | null>;
  /** The user's runs, newest first, at most `limit`. */
  listByUser(userId: string, limit: number): Promise<SyncRunRecord[]>;
}

/** `bytes` through a native compression stream (asynchronous: it does not hold the event loop). */
async function through(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}
const gzip = (bytes: Uint8Array) => through(bytes, new CompressionStream("gzip"));
const gunzip = (bytes: Uint8Array) => through(bytes, new DecompressionStream("gzip"));

/** Creates the KV-backed synchronous-run history. */
export function createSyncRunRepo(kv: Deno.Kv): SyncRunRepo {
  const remove = async (userId: string, id: string) => {
    await kv.atomic().delete(keys.syncRun(id)).delete(keys.syncRunByUser(userId, id)).commit();
    await deleteBlob(kv, keys.syncRunReport(id));
  };
  return {
    async record(run, report, keep) {
      // The report first: a listed run always has its detail.
      await putBlob(
        kv,
        keys.syncRunReport(run.id),
        await gzip(new TextEncoder().encode(JSON.stringify(report))),
      );
      await kv.atomic()
        .set(keys.syncRun(run.id), run)
        .set(keys.syncRunByUser(run.user_id, run.id), run.id)
        .commit();
      const older: string[] = [];
      let seen = 0;
      // Newest first; trimmed on every record, so the index holds about `keep` entries.
      for await (
        const e of kv.list<string>({ prefix: keys.syncRunsByUser(run.user_id) }, { reverse: true })
      ) {
        if (++seen > keep) older.push(e.value);
      }
      for (const id of older) await remove(run.user_id, id);
    },
    async get(id) {
      return (await kv.get<SyncRunRecord>(keys.syncRun(id))).value;
    },
    async getReport(id) {
      const bytes = await getBlob(kv, keys.syncRunReport(id));
      return bytes ? JSON.parse(new TextDecoder().decode(await gunzip(bytes))) as BacktestReport : null;
    },
    async listByUser(userId, limit) {
      const ids: string[] = [];
      for await (
        const e of kv.list<string>({ prefix: keys.syncRunsByUser(userId) }, { reverse: true, limit })
      ) ids.push(e.value);
      const runs = await getManyValues<SyncRunRecord>(kv, ids.map(keys.syncRun));
      return runs.filter((r): r is SyncRunRecord => r !== null);
    },
  };
}
