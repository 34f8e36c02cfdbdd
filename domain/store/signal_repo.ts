/**
 * Persistence of daily signals: one per strategy and trade date, a by-hash index, the "to log" markers (signal
 * versions not yet in the transparency log) and the "to attest" markers (signals waiting for a GitHub commit).
 */
import { ConflictError } from "../errors.ts";
import type { AuditEntry } from "./audit_repo.ts";
import { keys } from "./keys.ts";
import { pageRecords } from "./kv.ts";
import type { TrackedStrategyRecord } from "./tracked_strategy_repo.ts";

/** Outcome of pushing a signal to GitHub. */
export type AttestationState =
  | { committed: true; sha: string; url: string; path: string; attempted_at: number }
  | { committed: false; reason: string; attempted_at: number | null };

/** Where a signal sits in the transparency log, and the checkpoint signed right after it was appended. */
export interface LogEntryRef {
  leaf_index: number;
  tree_size: number;
  checkpoint_timestamp: number;
}

/** A day's signal as stored. */
export interface SignalRecord {
  id: string;
  strategy_slug: string;
  trade_date: string;
  /** Sorted by symbol. */
  signals: { symbol: string; weight: number }[];
  /**
   * The symbols in the order the submission listed them (the API shows `signals` in this order, so a client can
   * compare them with what it sent); absent on signals stored before it was kept (shown sorted).
   */
  submitted_order?: string[];
  signal_hash: string;
  canonical_json: string;
  submitted_at: number;
  deadline_at: number;
  execution_price: "open" | "close";
  is_settled: boolean;
  attestation: AttestationState;
  log: LogEntryRef | null;
  /** Hashes of earlier versions this one replaced (they stay in the transparency log). */
  replaced_hashes: string[];
}

/** Where a hash points: the strategy-day and whether it is the current version. */
export interface SignalHashRef {
  strategy_slug: string;
  trade_date: string;
}

/** A signal version waiting to be appended to the transparency log. */
export interface SignalToLog {
  strategy_slug: string;
  trade_date: string;
  signal_hash: string;
  submitted_at: number;
}

/** What a signal write commits besides the signal: the strategy change it implies and its audit entries. */
export interface SignalWriteExtras {
  /** The strategy record as read and what it becomes (activation, earlier start date). */
  activate?: { current: Deno.KvEntryMaybe<TrackedStrategyRecord>; next: TrackedStrategyRecord };
  /** Audit entries of the write, committed with it. */
  audit?: AuditEntry[];
}

/** Access to signals. */
export interface SignalRepo {
  get(slug: string, tradeDate: string): Promise<SignalRecord | null>;
  /** The entry with its versionstamp, for a later `put` that must not overwrite a concurrent change. */
  getEntry(slug: string, tradeDate: string): Promise<Deno.KvEntryMaybe<SignalRecord>>;
  /**
   * Writes `record` in one atomic commit with its by-hash index, its "to log" marker (while `record.log` is
   * `null`), its "to attest" marker (while it needs a GitHub commit), `extras.audit` and, when `extras.activate`
   * is given, the strategy change. Commits only if the stored signal is still the one read (`expected`;
   * versionstamp `null` = none) and the strategy record still the one read; throws `ConflictError` otherwise.
   */
  put(
    record: SignalRecord,
    expected: Deno.KvEntryMaybe<SignalRecord>,
    extras?: SignalWriteExtras,
  ): Promise<void>;
  /** Updates the signal only if its hash is still `hash` (a replacement in between wins); returns success. */
  patchIfHash(slug: string, tradeDate: string, hash: string, patch: Partial<SignalRecord>): Promise<boolean>;
  /** Deletes the signal (with its "to attest" marker) and appends `audit`, if the signal is still the one read. */
  remove(expected: Deno.KvEntry<SignalRecord>, audit?: AuditEntry): Promise<void>;
  /** Signal versions waiting for the transparency log, oldest submission first. */
  listToLog(): Promise<SignalToLog[]>;
  /**
   * Clears the "to log" marker of `item` and, when the stored signal of its strategy-day still has its hash and
   * no log position, stores `log` on it, in one commit. Returns whether the signal record took `log`.
   */
  markLogged(item: SignalToLog, log: LogEntryRef): Promise<boolean>;
  /** Newest first. */
  list(slug: string, limit: number, offset: number): Promise<{ items: SignalRecord[]; total: number }>;
  /** Every signal of the strategy, oldest first. */
  listAll(slug: string): Promise<SignalRecord[]>;
  byHash(hash: string): Promise<SignalHashRef | null>;
  /** Strategy-days whose GitHub attestation has not succeeded. */
  listUnattested(): Promise<SignalHashRef[]>;
}

/** `true` while a signal still waits for a GitHub commit (not committed, and GitHub is not simply unset). */
export function needsAttestation(r: SignalRecord): boolean {
  return !r.attestation.committed && r.attestation.reason !== "repo_not_configured";
}

/** Creates the KV-backed repository. */
export function createSignalRepo(kv: Deno.Kv): SignalRepo {
  const unattestedKey = (r: SignalRecord) => keys.unattestedSignal(r.strategy_slug, r.trade_date);
  return {
    async get(slug, tradeDate) {
      return (await kv.get<SignalRecord>(keys.signal(slug, tradeDate))).value;
    },
    getEntry(slug, tradeDate) {
      return kv.get<SignalRecord>(keys.signal(slug, tradeDate));
    },
    async put(record, expected, extras = {}) {
      const key = keys.signal(record.strategy_slug, record.trade_date);
      const ref: SignalHashRef = { strategy_slug: record.strategy_slug, trade_date: record.trade_date };
      const op = kv.atomic().check({ key, versionstamp: expected.versionstamp })
        .set(key, record)
        .set(keys.signalByHash(record.signal_hash), ref);
      if (needsAttestation(record)) op.set(unattestedKey(record), ref);
      else op.delete(unattestedKey(record));
      if (!record.log) {
        const toLog: SignalToLog = {
          ...ref,
          signal_hash: record.signal_hash,
          submitted_at: record.submitted_at,
        };
        op.set(keys.signalToLog(record.submitted_at, record.signal_hash), toLog);
      }
      for (const entry of extras.audit ?? []) op.set(keys.auditEntry(record.strategy_slug, entry.id), entry);
      const activate = extras.activate;
      if (activate) {
        op.check(activate.current).set(keys.trackedStrategy(activate.next.slug), activate.next);
      }
      const res = await op.commit();
      if (!res.ok) {
        throw new ConflictError(
          `The signal of "${record.strategy_slug}" for ${record.trade_date} changed at the same moment; ` +
            "read it and try again",
        );
      }
    },
    async patchIfHash(slug, tradeDate, hash, patch) {
      for (let i = 0; i < 10; i++) {
        const entry = await kv.get<SignalRecord>(keys.signal(slug, tradeDate));
        if (!entry.value || entry.value.signal_hash !== hash) return false;
        const next = { ...entry.value, ...patch };
        const op = kv.atomic().check(entry).set(entry.key, next);
        if (!needsAttestation(next)) op.delete(unattestedKey(next));
        const res = await op.commit();
        if (res.ok) return true;
      }
      return false;
    },
    async remove(expected, audit) {
      const op = kv.atomic().check(expected).delete(expected.key).delete(unattestedKey(expected.value));
      if (audit) op.set(keys.auditEntry(expected.value.strategy_slug, audit.id), audit);
      const res = await op.commit();
      if (!res.ok) throw new ConflictError("The signal changed at the same moment; read it and try again");
    },
    async listToLog() {
      const out: SignalToLog[] = [];
      for await (const e of kv.list<SignalToLog>({ prefix: keys.signalsToLog() })) out.push(e.value);
      return out;
    },
    async markLogged(item, log) {
      const marker = keys.signalToLog(item.submitted_at, item.signal_hash);
      for (let i = 0; i < 10; i++) {
        const entry = await kv.get<SignalRecord>(keys.signal(item.strategy_slug, item.trade_date));
        const takes = entry.value !== null && entry.value.signal_hash === item.signal_hash &&
          !entry.value.log;
        const op = kv.atomic().check(entry).delete(marker);
        if (takes) op.set(entry.key, { ...entry.value!, log });
        if ((await op.commit()).ok) return takes;
      }
      throw new ConflictError(
        `The signal of "${item.strategy_slug}" for ${item.trade_date} kept changing while it was being logged`,
      );
    },
    list(slug, limit, offset) {
      return pageRecords<SignalRecord>(kv, keys.signalsOfStrategy(slug), { limit, offset });
    },
    async listAll(slug) {
      const out: SignalRecord[] = [];
      for await (const e of kv.list<SignalRecord>({ prefix: keys.signalsOfStrategy(slug) })) {
        out.push(e.value);
      }
      return out;
    },
    async byHash(hash) {
      return (await kv.get<SignalHashRef>(keys.signalByHash(hash))).value;
    },
    async listUnattested() {
      const out: SignalHashRef[] = [];
      for await (const e of kv.list<SignalHashRef>({ prefix: keys.unattestedSignals() })) out.push(e.value);
      return out;
    },
  };
}
