/**
 * A day's signal: canonical JSON and hash, the deadline (09:15 / 15:00 +08:00 by execution price) and its
 * submission before it, the attestation, inclusion in the strategy's log under a checkpoint dated before the
 * deadline, the published log figures (`leaf_index`, `tree_size`, `checkpoint_timestamp`,
 * `logged_before_deadline`) equal to the verified proof's, and (given witness keys) the witnesses' cosignatures.
 */
import { canonicalSignalJson } from "./canonical_json.ts";
import { sha256Hex } from "./crypto.ts";
import { checkInclusion, checkWitnesses, type LogContext } from "./log_checks.ts";
import type { VerifyAnswer } from "./shapes.ts";

/** A signal's weights. */
export type Weights = { symbol: string; weight: number }[];

const DEADLINE_TIME = { open: "09:15", close: "15:00" } as const;

/** The deadline (epoch ms) of a signal for `date` under `executionPrice`. */
export function signalDeadline(date: string, executionPrice: "open" | "close"): number {
  return Date.parse(`${date}T${DEADLINE_TIME[executionPrice]}:00+08:00`);
}

/** Parses a signal's weights from its canonical JSON; `null` when it is not the canonical signal form. */
export function weightsOf(canonical: string): Weights | null {
  try {
    const parsed = JSON.parse(canonical);
    if (!Array.isArray(parsed?.signals)) return null;
    const out = parsed.signals.map((s: { symbol: unknown; weight: unknown }) => ({
      symbol: s.symbol,
      weight: typeof s.weight === "string" ? Number(s.weight) : NaN,
    }));
    return out.every((s: { symbol: unknown; weight: number }) =>
        typeof s.symbol === "string" && Number.isFinite(s.weight)
      )
      ? out
      : null;
  } catch {
    return null;
  }
}

/** The witness keys and how many must cosign. */
export interface WitnessRule {
  keys: string[];
  required: number;
}

/** Checks the signal of day `b` (or that a day without one has no attestation); returns its weights. */
export async function checkSignal(
  ctx: LogContext,
  sink: string[],
  slug: string,
  date: string,
  b: VerifyAnswer,
  executionPrice: "open" | "close",
  witnesses: WitnessRule,
): Promise<Weights | null> {
  const l = ctx.ledger;
  const s = b.signal;
  if (!s) {
    l.check(
      sink,
      "signal.attestation",
      !b.verification?.signal_attestation,
      () => `${date}: an attestation without a signal`,
    );
    return null;
  }
  const deadline = signalDeadline(date, executionPrice);
  const weights = typeof s.canonical_json === "string" ? weightsOf(s.canonical_json) : null;
  l.check(sink, "signal.canonical_json", weights !== null, () => `${date}: canonical_json is not a signal`);
  let canonical: string | null = null;
  try {
    canonical = canonicalSignalJson(slug, date, Array.isArray(s.signals) ? s.signals : []);
  } catch { /* reported below */ }
  l.same(sink, "signal.canonical_json", `${date} canonical_json`, s.canonical_json, canonical, {
    word: "canonical form of the signals",
  });
  if (weights) {
    l.same(
      sink,
      "signal.canonical_json",
      `${date} canonical_json`,
      s.canonical_json,
      canonicalSignalJson(slug, date, weights),
      {
        word: "canonical form",
      },
    );
  }
  l.same(
    sink,
    "signal.hash",
    `${date} signal_hash`,
    s.signal_hash,
    await sha256Hex(String(s.canonical_json)),
    {
      word: "SHA-256(canonical_json)",
    },
  );
  l.same(sink, "signal.deadline", `${date} deadline_at`, Date.parse(s.deadline_at), deadline, {
    integer: true,
    word: "the rule's",
  });
  l.check(
    sink,
    "signal.submitted",
    Date.parse(s.submitted_at) < deadline,
    () =>
      `${date}: submitted at ${s.submitted_at}, not before the deadline ${new Date(deadline).toISOString()}`,
  );
  const a = b.verification?.signal_attestation;
  const word = { word: "signal" };
  l.same(
    sink,
    "signal.attestation",
    `${date} signal_attestation.signal_hash`,
    a?.signal_hash,
    s.signal_hash,
    word,
  );
  l.same(
    sink,
    "signal.attestation",
    `${date} signal_attestation.canonical_json`,
    a?.canonical_json,
    s.canonical_json,
    word,
  );
  const proof = s.log?.inclusion_proof;
  const cp = await checkInclusion(ctx, sink, "log", `${date} signal`, proof, s.signal_hash);
  if (!cp) return weights;
  const before = cp.timestamp < deadline;
  l.check(
    sink,
    "log.checkpoint",
    before,
    () =>
      `${date}: the signal's checkpoint is dated ${
        new Date(cp.timestamp).toISOString()
      }, not before the deadline`,
  );
  l.same(sink, "log.origin", `${date} signal.log.origin`, s.log?.origin, ctx.origin, {
    word: "parameters.log_origin",
  });
  // The published log figures are the verified proof's.
  const proved = { word: "the verified inclusion proof's" };
  const published = s.log as unknown as Record<string, unknown>;
  l.same(
    sink,
    "signal.log_leaf_index",
    `${date} signal.log.leaf_index`,
    published.leaf_index,
    proof!.leaf_index,
    {
      integer: true,
      ...proved,
    },
  );
  l.same(sink, "signal.log_tree_size", `${date} signal.log.tree_size`, published.tree_size, cp.tree_size, {
    integer: true,
    ...proved,
  });
  const stamp = published.checkpoint_timestamp;
  l.same(
    sink,
    "signal.log_checkpoint_timestamp",
    `${date} signal.log.checkpoint_timestamp`,
    typeof stamp === "string" ? Date.parse(stamp) : stamp,
    cp.timestamp,
    { integer: true, ...proved },
  );
  l.same(
    sink,
    "signal.logged_before_deadline",
    `${date} signal.log.logged_before_deadline`,
    published.logged_before_deadline,
    before,
    proved,
  );
  const c = s.log?.consistency_proof;
  if (c && c.first === cp.tree_size) ctx.published.set(`${c.first}:${c.second}`, c);
  if (witnesses.keys.length > 0) {
    await checkWitnesses(
      ctx,
      sink,
      date,
      cp,
      s.log?.witnessed_inclusion_proof,
      s.signal_hash,
      deadline,
      witnesses.keys,
      witnesses.required,
    );
  }
  return weights;
}
