/**
 * Persistence of daily signals: one per strategy and trade date, a by-hash index, the "to log" markers (signal
 * versions not yet in the transparency log) and the "to attest" markers (signals waiting for a GitHub commit).
 *
 * Storage: a signal is one KV value while its large fields (`signals`, `canonical_json`, `submitted_order`,
 * `replaced_hashes`) are small (JSON ≤ `INLINE_JSON_CHARS`, e.g. up to ~200 symbols); a larger one (up to 500
 * symbols) is stored as a head without them plus their compressed chunks (`record_parts.ts`), written in the
 * same commit. Readers accept both forms, so signals stored before chunking read as they always did.
 *
 * A public `/verify` shows a day's signal (its hash, its place in the transparency log, its GitHub attestation)
 * and the audit trail shows its submissions: every commit that changes a signal the way a reader sees it bumps
 * the strategy's public scope (and the public list's when it activates the strategy).
 */
import { ConflictError } from "../errors.ts";
import type { AuditEntry } from "./audit_repo.ts";
import { keys } from "./keys.ts";
import { pageRecords } from "./kv.ts";
import { LIST_SCOPE, strategyScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";
import { partKeys, type PartsOwner, type PartsRef, readParts, splitParts } from "./record_parts.ts";
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
  /**
   * On a record read from the chunked form: where its large fields are stored. The repository's bookkeeping
   * (`put` and `remove` clean these chunks up); absent on records stored in one value and on new records.
   */
  parts?: PartsRef;
}

/** The fields a large signal stores in chunks. */
type SignalBody = Pick<SignalRecord, "signals" | "canonical_json" | "submitted_order" | "replaced_hashes">;

/** What is stored under a signal's key: the whole record, or (with `parts`) its head without `SignalBody`. */
type StoredSignal = Omit<SignalRecord, keyof SignalBody> & Partial<SignalBody>;

const partsOwner = (r: Pick<SignalRecord, "strategy_slug" | "trade_date">): PartsOwner => ({
  kind: "signal",
  slug: r.strategy_slug,
  date: r.trade_date,
});

/**
 * The value to store under a read signal's key: the record itself, or its head (without the large fields)
 * when they live in chunks. Used by commits that change a signal's head fields only (settlement's flag).
 */
export function signalHeadOf(r: SignalRecord): StoredSignal {
  if (!r.parts) return r;
  const { signals: _s, canonical_json: _c, submitted_order: _o, replaced_hashes: _h, ...head } = r;
  return head;
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
  /**
   * Updates head fields of the signal only if its hash is still `hash` (a replacement in between wins); returns
   * success.
   */
  patchIfHash(
    slug: string,
    tradeDate: string,
    hash: string,
    patch: Partial<Omit<SignalRecord, keyof SignalBody | "parts">>,
  ): Promise<boolean>;
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

/** When a patched signal changed: its last GitHub attempt, else its submission. */
const patchedAt = (r: Pick<SignalRecord, "attestation" | "submitted_at">) =>
  r.attestation.attempted_at ?? r.submitted_at;

/** Creates the KV-backed repository. */
export function createSignalRepo(kv: Deno.Kv): SignalRepo {
  const unattestedKey = (r: Pick<SignalRecord, "strategy_slug" | "trade_date">) =>
    keys.unattestedSignal(r.strategy_slug, r.trade_date);

  /** Completes stored values in one batched read of their chunks; `null` where a replacement intervened. */
  async function complete(stored: StoredSignal[]): Promise<(SignalRecord | null)[]> {
    const chunked = stored.filter((v) => v.parts);
    if (chunked.length === 0) return stored as SignalRecord[];
    const bodies = await readParts<SignalBody>(
      kv,
      chunked.map((v) => ({ owner: partsOwner(v), ref: v.parts! })),
    );
    const bodyOf = new Map(chunked.map((v, i) => [v, bodies[i]]));
    return stored.map((v) => {
      if (!v.parts) return v as SignalRecord;
      const body = bodyOf.get(v);
      return body ? { ...v, ...body } : null;
    });
  }

  /** The signal with its versionstamp, its chunks read for the head that was read. */
  async function readEntry(slug: string, tradeDate: string): Promise<Deno.KvEntryMaybe<SignalRecord>> {
    const key = keys.signal(slug, tradeDate);
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await kv.get<StoredSignal>(key);
      if (entry.value === null) return entry as Deno.KvEntryMaybe<SignalRecord>;
      const [value] = await complete([entry.value]);
      if (value) return { ...entry, value };
      // A chunk is missing: the signal was replaced between its head and its chunks (read the new version), or,
      // with the head unchanged, the store lost it.
      if ((await kv.get(key)).versionstamp === entry.versionstamp) {
        throw new Error(`The signal of "${slug}" for ${tradeDate}: its stored chunks are missing`);
      }
    }
    throw new ConflictError(`The signal of "${slug}" for ${tradeDate} kept changing while it was being read`);
  }

  /** Completes listed values; a value replaced while it was being read is read again on its own. */
  async function completeListed(stored: StoredSignal[]): Promise<SignalRecord[]> {
    const done = await complete(stored);
    if (done.every((r) => r !== null)) return done as SignalRecord[];
    const again = await Promise.all(
      done.map(async (r, i) => r ?? (await readEntry(stored[i].strategy_slug, stored[i].trade_date)).value),
    );
    return again.filter((r): r is SignalRecord => r !== null);
  }

  return {
    async get(slug, tradeDate) {
      return (await readEntry(slug, tradeDate)).value;
    },
    getEntry(slug, tradeDate) {
      return readEntry(slug, tradeDate);
    },
    async put(record, expected, extras = {}) {
      const key = keys.signal(record.strategy_slug, record.trade_date);
      const ref: SignalHashRef = { strategy_slug: record.strategy_slug, trade_date: record.trade_date };
      const { parts: _asRead, ...plain } = record;
      const body: SignalBody = {
        signals: plain.signals,
        canonical_json: plain.canonical_json,
        submitted_order: plain.submitted_order,
        replaced_hashes: plain.replaced_hashes,
      };
      const split = await splitParts(partsOwner(plain), body);
      const stored: StoredSignal = split ? signalHeadOf({ ...plain, parts: split.ref }) : plain;
      const op = kv.atomic().check({ key, versionstamp: expected.versionstamp })
        .set(key, stored)
        .set(keys.signalByHash(record.signal_hash), ref);
      for (const chunk of split?.sets ?? []) op.set(chunk.key, chunk.value);
      const previous = expected.value?.parts;
      if (previous) { for (const k of partKeys(partsOwner(plain), previous)) op.delete(k); }
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
      // An activation changes the strategy's list row (status, start date) too.
      const scopes = [strategyScope(record.strategy_slug), ...(activate ? [LIST_SCOPE] : [])];
      bumpPublicScopes(op, scopes, record.submitted_at);
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
        // Head fields only: the stored value (whole record or head) is patched as it is.
        const entry = await kv.get<StoredSignal>(keys.signal(slug, tradeDate));
        if (!entry.value || entry.value.signal_hash !== hash) return false;
        const next = { ...entry.value, ...patch };
        const op = kv.atomic().check(entry).set(entry.key, next);
        if (!needsAttestation(next as SignalRecord)) op.delete(unattestedKey(next));
        bumpPublicScopes(op, [strategyScope(slug)], patchedAt(next));
        const res = await op.commit();
        if (res.ok) return true;
      }
      return false;
    },
    async remove(expected, audit) {
      const op = kv.atomic().check(expected).delete(expected.key).delete(unattestedKey(expected.value));
      const parts = expected.value.parts;
      if (parts) { for (const k of partKeys(partsOwner(expected.value), parts)) op.delete(k); }
      if (audit) op.set(keys.auditEntry(expected.value.strategy_slug, audit.id), audit);
      bumpPublicScopes(
        op,
        [strategyScope(expected.value.strategy_slug)],
        audit?.at ?? expected.value.submitted_at,
      );
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
        const entry = await kv.get<StoredSignal>(keys.signal(item.strategy_slug, item.trade_date));
        const takes = entry.value !== null && entry.value.signal_hash === item.signal_hash &&
          !entry.value.log;
        const op = kv.atomic().check(entry).delete(marker);
        if (takes) {
          op.set(entry.key, { ...entry.value!, log });
          bumpPublicScopes(op, [strategyScope(item.strategy_slug)], log.checkpoint_timestamp);
        }
        if ((await op.commit()).ok) return takes;
      }
      throw new ConflictError(
        `The signal of "${item.strategy_slug}" for ${item.trade_date} kept changing while it was being logged`,
      );
    },
    async list(slug, limit, offset) {
      const page = await pageRecords<StoredSignal>(kv, keys.signalsOfStrategy(slug), { limit, offset });
      return { ...page, items: await completeListed(page.items) };
    },
    async listAll(slug) {
      const out: StoredSignal[] = [];
      for await (const e of kv.list<StoredSignal>({ prefix: keys.signalsOfStrategy(slug) })) {
        out.push(e.value);
      }
      return await completeListed(out);
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
