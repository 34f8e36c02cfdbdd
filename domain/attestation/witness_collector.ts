/**
 * Collects witness cosignatures of a transparency log's head. Each configured witness (a base URL) is sent the
 * head checkpoint with `POST <url>/add-checkpoint` `{old_size, consistency_proof, checkpoint}`, where `old_size`
 * is the size it last cosigned for this log (0 at first) and the proof shows that tree is a prefix of the head's.
 * A witness answers 200 `{cosignature}`, or 409 `{detail, tree_size}` when its size is another (then the push is
 * retried once from that size); anything else is a failure. A returned cosignature is stored only when it
 * verifies for the checkpoint's note (`verifyCosignature`).
 *
 * Witnesses are pushed to in parallel, each request bounded by the configured timeout. Failures are recorded on
 * the witness's state and logged (status or reason only, never a response body) and never thrown. Within one
 * process one collection per log runs at a time; a request made while one runs is served by the next run, which
 * reads the head afresh.
 *
 * So that a witness that is down or never answers cannot make user requests slow, callers in a request path
 * (a signal submission, settlement) cosign once after all of their appends, not per append, and pass
 * `{ backoff: true }`: a witness whose last push failed or timed out less than `WITNESS_BACKOFF_MS` (60 s) ago
 * is skipped (counted as `deferred`) and left to the catch-up run (`attestPending` without `github: false`, the
 * 09:10 job), which pushes to every witness behind the head whatever its last outcome.
 */
import { deadlineSignal } from "../clock.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { CosignatureRepo, WitnessState } from "../store/cosignature_repo.ts";
import { type Checkpoint, signedCheckpoint } from "./checkpoint.ts";
import { type Cosignature, verifyCosignature } from "./cosignature.ts";
import type { TransparencyLog } from "./transparency_log.ts";

/** Where and how cosignatures are collected. */
export interface WitnessCollection {
  /** The witnesses' base URLs (http or https, without a trailing slash); empty: no witnesses. */
  urls: readonly string[];
  /** Bound of one request to one witness, ms. */
  timeoutMs: number;
  /** Where cosignatures, witness states and checkpoint commits are kept. */
  store: CosignatureRepo;
  fetch: typeof fetch;
  clock: Clock;
  log: LogFn;
}

/** The part of a log collection needs. */
export type WitnessedLog = Pick<TransparencyLog, "origin" | "checkpoint" | "consistencyProof">;

/**
 * How long after a failed or timed-out push a witness is skipped by collections in request paths
 * (`{ backoff: true }`), ms: 60 s. The catch-up run pushes to it regardless.
 */
const WITNESS_BACKOFF_MS = 60_000;

/** What one collection did. */
export interface CosignSummary {
  /** The head size pushed (`null` when nothing was pushed: no witnesses, or an empty log). */
  tree_size: number | null;
  /** Witnesses that returned a valid cosignature of the head. */
  cosigned: number;
  /** Witnesses that had already cosigned the head (not contacted). */
  current: number;
  /** Witnesses whose push failed (down, timed out, refused, or an invalid cosignature). */
  failed: number;
  /**
   * Witnesses not contacted because their last push failed less than `WITNESS_BACKOFF_MS` ago (`backoff: true`
   * only); the catch-up run pushes to them.
   */
  deferred: number;
}

/** Largest witness answer read, bytes (a cosignature is a few hundred). */
const MAX_ANSWER_BYTES = 64 * 1024;
/** Longest witness name stored. */
const MAX_WITNESS_NAME = 200;

interface Turn {
  tail: Promise<unknown>;
  queued: Promise<CosignSummary> | null;
  /** Whether the queued run skips witnesses in their backoff window (false once any joiner wants them all). */
  queuedBackoff: boolean;
}

const turns = new WeakMap<object, Turn>();

/** Options of one collection. */
interface CosignOptions {
  /**
   * Skip witnesses whose last push failed less than `WITNESS_BACKOFF_MS` ago (request paths). Default `false`:
   * push to every witness behind the head (the catch-up run).
   */
  backoff?: boolean;
}

/**
 * Pushes `log`'s head to every configured witness that has not cosigned it yet (with `backoff: true`, except
 * those whose last push failed within `WITNESS_BACKOFF_MS`), verifies and stores the cosignatures they return
 * (see the file comment). Never throws; resolves once this collection (or the queued one it joined) is done.
 * Called once after a call's appends to a log, and by `attestPending` for witnesses left behind.
 */
export function cosignHead(
  deps: { witnessing: WitnessCollection },
  log: WitnessedLog,
  opts: CosignOptions = {},
): Promise<CosignSummary> {
  const w = deps.witnessing;
  const backoff = opts.backoff === true;
  if (w.urls.length === 0) {
    return Promise.resolve({ tree_size: null, cosigned: 0, current: 0, failed: 0, deferred: 0 });
  }
  let turn = turns.get(log);
  if (!turn) turns.set(log, turn = { tail: Promise.resolve(), queued: null, queuedBackoff: true });
  if (turn.queued) {
    // A catch-up caller joining a queued request-path run makes it push to every witness.
    if (!backoff) turn.queuedBackoff = false;
    return turn.queued;
  }
  const t = turn;
  t.queuedBackoff = backoff;
  const run = t.tail.catch(() => {}).then(() => {
    t.queued = null;
    return collect(w, log, t.queuedBackoff);
  });
  t.queued = run;
  t.tail = run;
  return run;
}

async function collect(w: WitnessCollection, log: WitnessedLog, backoff: boolean): Promise<CosignSummary> {
  const summary: CosignSummary = { tree_size: null, cosigned: 0, current: 0, failed: 0, deferred: 0 };
  let head: Checkpoint;
  try {
    head = await log.checkpoint();
  } catch (e) {
    w.log("error", "witness collection could not read the log head", {
      origin: log.origin,
      error: String(e),
    });
    return summary;
  }
  if (head.tree_size === 0) return summary;
  summary.tree_size = head.tree_size;
  const outcomes = await Promise.all(w.urls.map((url) => pushTo(w, log, head, url, backoff)));
  for (const o of outcomes) summary[o]++;
  return summary;
}

type Outcome = "cosigned" | "current" | "failed" | "deferred";

/** One witness: push (retrying once after a 409), verify, store; records the state. */
async function pushTo(
  w: WitnessCollection,
  log: WitnessedLog,
  head: Checkpoint,
  url: string,
  backoff: boolean,
): Promise<Outcome> {
  const origin = log.origin;
  let state: WitnessState;
  try {
    state = await w.store.witness(origin, url) ?? {
      url,
      name: null,
      key_id: null,
      public_key: null,
      tree_size: 0,
      last_error: null,
      updated_at: 0,
    };
  } catch (e) {
    w.log("error", "witness state could not be read", { origin, witness: url, error: String(e) });
    return "failed";
  }
  if (state.tree_size >= head.tree_size) return "current";
  if (backoff && state.last_error !== null) {
    const age = w.clock.now() - state.updated_at;
    if (age >= 0 && age < WITNESS_BACKOFF_MS) return "deferred";
  }
  let oldSize = Math.min(state.tree_size, head.tree_size);
  let reason = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    const answer = await post(w, log, head, url, oldSize);
    if (answer.kind === "cosignature") {
      const cosig = answer.cosignature;
      if (!cosig || !(await verifyCosignature(cosig, head.note))) {
        reason = "invalid cosignature";
        break;
      }
      try {
        await w.store.addCosignature(origin, head.tree_size, cosig);
        await w.store.putWitness(origin, {
          url,
          name: cosig.witness,
          key_id: cosig.key_id,
          public_key: cosig.public_key,
          tree_size: head.tree_size,
          last_error: null,
          updated_at: w.clock.now(),
        });
        return "cosigned";
      } catch (e) {
        w.log("error", "a witness cosignature could not be stored", {
          origin,
          witness: url,
          error: String(e),
        });
        return "failed";
      }
    }
    if (answer.kind === "conflict" && attempt === 0) {
      if (answer.treeSize > head.tree_size) {
        reason = `witness is at tree size ${answer.treeSize}, beyond the log's head ${head.tree_size}`;
        break;
      }
      oldSize = answer.treeSize;
      continue;
    }
    reason = answer.kind === "conflict" ? "HTTP 409 again after the retry" : answer.reason;
    break;
  }
  w.log("warn", "witness push failed", { origin, witness: url, tree_size: head.tree_size, reason });
  try {
    await w.store.putWitness(origin, { ...state, last_error: reason, updated_at: w.clock.now() });
  } catch {
    // The failure is logged above; the state is only a report.
  }
  return "failed";
}

type Answer =
  | { kind: "cosignature"; cosignature: Cosignature | null }
  | { kind: "conflict"; treeSize: number }
  | { kind: "failed"; reason: string };

/** One `add-checkpoint` request; never throws. */
async function post(
  w: WitnessCollection,
  log: WitnessedLog,
  head: Checkpoint,
  url: string,
  oldSize: number,
): Promise<Answer> {
  let proof: string[] = [];
  try {
    if (oldSize > 0 && oldSize < head.tree_size) {
      proof = (await log.consistencyProof(oldSize, head.tree_size)).proof;
    }
  } catch (e) {
    return { kind: "failed", reason: `no consistency proof from ${oldSize}: ${String(e).slice(0, 200)}` };
  }
  const deadline = deadlineSignal(w.timeoutMs);
  try {
    const res = await w.fetch(`${url}/add-checkpoint`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        old_size: oldSize,
        consistency_proof: proof,
        checkpoint: signedCheckpoint(head),
      }),
      signal: deadline.signal,
    });
    if (res.status !== 200 && res.status !== 409) {
      await res.body?.cancel();
      return { kind: "failed", reason: `HTTP ${res.status}` };
    }
    const body = await readJson(res);
    if (body === undefined) return { kind: "failed", reason: `HTTP ${res.status} with an unreadable answer` };
    if (res.status === 409) {
      const size = (body as { tree_size?: unknown })?.tree_size;
      return Number.isSafeInteger(size) && (size as number) >= 0
        ? { kind: "conflict", treeSize: size as number }
        : { kind: "failed", reason: "HTTP 409 without a tree size" };
    }
    return {
      kind: "cosignature",
      cosignature: toCosignature((body as { cosignature?: unknown })?.cosignature),
    };
  } catch (e) {
    return {
      kind: "failed",
      reason: deadline.signal.aborted ? `timeout after ${w.timeoutMs} ms` : `unreachable: ${errorName(e)}`,
    };
  } finally {
    deadline.clear();
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : "error";
}

/** The JSON of an answer of at most `MAX_ANSWER_BYTES`; `undefined` when larger or not JSON. */
async function readJson(res: Response): Promise<unknown> {
  if (!res.body) return undefined;
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > MAX_ANSWER_BYTES) {
      await reader.cancel();
      return undefined;
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/** The cosignature's own fields when `value` has the shape, else `null`. */
function toCosignature(value: unknown): Cosignature | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.witness !== "string" || v.witness.length > MAX_WITNESS_NAME || v.witness.includes("\n") ||
    v.algorithm !== "Ed25519" || typeof v.public_key !== "string" || typeof v.key_id !== "string" ||
    typeof v.timestamp !== "number" || typeof v.signature !== "string"
  ) return null;
  return {
    witness: v.witness,
    algorithm: "Ed25519",
    public_key: v.public_key,
    key_id: v.key_id,
    timestamp: v.timestamp,
    signature: v.signature,
  };
}
