/**
 * The witness's own storage in Deno KV (its own database, never the platform's): its signing key, the latest
 * checkpoint it cosigned for each log, the split-view evidence it keeps, and the logs pinned on first use.
 *
 * Keys: `["witness_key"]` (PKCS#8 base64), `["witness_state", origin]` (the latest cosigned checkpoint),
 * `["witness_alerts", detected_at, digest]` (time-ordered evidence) with `["witness_alert_digests", digest]`
 * (one record per distinct offered checkpoint), `["witness_pins", origin]`.
 * The state of an origin only moves through `advance`, a commit checked against the versionstamp the caller
 * read, so two requests that start from the same state cannot both move it.
 */
import type { Checkpoint } from "../domain/attestation/checkpoint.ts";

/** The latest checkpoint the witness cosigned for one origin, with the versionstamp `advance` checks. */
export interface WitnessState {
  checkpoint: Checkpoint | null;
  versionstamp: string | null;
}

/** Evidence of a split view: a checkpoint the witness cosigned and a validly signed one inconsistent with it. */
export interface SplitViewAlert {
  origin: string;
  /** The checkpoint the witness had cosigned (its latest for that origin when the other was offered). */
  seen: Checkpoint;
  /** The validly signed checkpoint it refused. */
  offered: Checkpoint;
  /** The witness's clock when it refused, epoch ms UTC. */
  detected_at: number;
}

/** A log pinned by trust on first use: its origin and public key, and where they were read. */
export interface PinnedLog {
  origin: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key: string;
  /** The URL the checkpoint carrying this key was read from. */
  source: string;
  pinned_at: number;
}

/** Most alerts `listAlerts` returns (the newest); each distinct offered checkpoint is stored once. */
const MAX_LISTED_ALERTS = 1000;

/** The witness's repository. */
export interface WitnessStore {
  /** The stored private key (PKCS#8 base64), or the candidate stored now when there was none (first start). */
  signingKey(candidate: string): Promise<string>;
  /** The latest cosigned checkpoint of `origin` (null before the first) and its versionstamp. */
  state(origin: string): Promise<WitnessState>;
  /**
   * Replaces the state of `origin` with `next` when it is still at `expected` (the versionstamp read); `false`
   * when another request moved it first (nothing written).
   */
  advance(origin: string, expected: string | null, next: Checkpoint): Promise<boolean>;
  /** Keeps split-view evidence; offering the same checkpoint again keeps the first record. */
  addAlert(alert: SplitViewAlert, digest: string): Promise<void>;
  /** Every origin's alerts, oldest first, at most `MAX_LISTED_ALERTS` (the newest). */
  listAlerts(): Promise<SplitViewAlert[]>;
  /** The pinned log of `origin`, or null. */
  pin(origin: string): Promise<PinnedLog | null>;
  /** Pins `log` unless its origin is pinned already; returns the pin in force (the earlier one wins). */
  addPin(log: PinnedLog): Promise<PinnedLog>;
  /** Every pinned log (at most 100). */
  pins(): Promise<PinnedLog[]>;
}

const KEY = ["witness_key"] as const;
const stateKey = (origin: string) => ["witness_state", origin] as const;
const alertKey = (at: number, digest: string) => ["witness_alerts", at, digest] as const;
const alertDigestKey = (digest: string) => ["witness_alert_digests", digest] as const;
const pinKey = (origin: string) => ["witness_pins", origin] as const;

/** The witness repository over `kv` (a database of its own: `WITNESS_KV_PATH`, or `:memory:` in tests). */
export function createWitnessStore(kv: Deno.Kv): WitnessStore {
  return {
    async signingKey(candidate) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const existing = await kv.get<string>(KEY);
        if (typeof existing.value === "string") return existing.value;
        const res = await kv.atomic().check({ key: KEY, versionstamp: null }).set(KEY, candidate).commit();
        if (res.ok) return candidate;
      }
      throw new Error("Cannot store the witness signing key: the store keeps changing it");
    },
    async state(origin) {
      const entry = await kv.get<Checkpoint>(stateKey(origin));
      return { checkpoint: entry.value, versionstamp: entry.versionstamp };
    },
    async advance(origin, expected, next) {
      const res = await kv.atomic().check({ key: stateKey(origin), versionstamp: expected })
        .set(stateKey(origin), next).commit();
      return res.ok;
    },
    async addAlert(alert, digest) {
      const seen = alertDigestKey(digest);
      await kv.atomic().check({ key: seen, versionstamp: null }).set(seen, alert.detected_at)
        .set(alertKey(alert.detected_at, digest), alert).commit();
    },
    async listAlerts() {
      const out: SplitViewAlert[] = [];
      const newestFirst = kv.list<SplitViewAlert>({ prefix: ["witness_alerts"] }, {
        reverse: true,
        limit: MAX_LISTED_ALERTS,
      });
      for await (const entry of newestFirst) out.push(entry.value);
      return out.reverse();
    },
    async pin(origin) {
      return (await kv.get<PinnedLog>(pinKey(origin))).value;
    },
    async addPin(log) {
      const key = pinKey(log.origin);
      const res = await kv.atomic().check({ key, versionstamp: null }).set(key, log).commit();
      if (res.ok) return log;
      return (await kv.get<PinnedLog>(key)).value ?? log;
    },
    async pins() {
      const out: PinnedLog[] = [];
      for await (const entry of kv.list<PinnedLog>({ prefix: ["witness_pins"] }, { limit: 100 })) {
        out.push(entry.value);
      }
      return out;
    },
  };
}
