/**
 * The caller's options checked before anything is read (the CLI applies the same rules): keys are normalised to
 * their 32 bytes written in standard padded base64 (unpadded or URL-safe input is accepted), `witnessesRequired`
 * is an integer from 1 to the number of distinct witness keys, `legacyUntil` a `YYYY-MM-DD` date, `timeoutMs` a
 * positive number. A wrong option throws a `TypeError` naming it.
 */

/** The 32 bytes of a base64 (standard or URL-safe, padded or not) Ed25519 key in standard base64; else `null`. */
export function normaliseKey(text: unknown): string | null {
  if (typeof text !== "string" || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text.trim())) return null;
  const std = text.trim().replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  try {
    const bin = atob(std + "=".repeat((4 - std.length % 4) % 4));
    return bin.length === 32 ? btoa(bin) : null;
  } catch {
    return null;
  }
}

/** The options as the verifier uses them. */
export interface CheckedOptions {
  logKey: string | undefined;
  witnesses: string[];
  required: number;
  legacyUntil: string | undefined;
  timeoutMs: number;
}

/** Default overall time allowed for a verification (10 minutes). */
export const DEFAULT_OVERALL_TIMEOUT_MS = 600_000;

/** Checks and normalises the options; throws a `TypeError` naming the first wrong one. */
export function checkOptions(o: {
  logKey?: string;
  witnesses?: string[];
  witnessesRequired?: number;
  legacyUntil?: string;
  timeoutMs?: number;
}): CheckedOptions {
  let logKey: string | undefined;
  if (o.logKey !== undefined) {
    logKey = normaliseKey(o.logKey) ?? undefined;
    if (logKey === undefined) throw new TypeError("logKey: not a base64 Ed25519 public key (32 bytes)");
  }
  if (o.witnesses !== undefined && !Array.isArray(o.witnesses)) {
    throw new TypeError("witnesses: not an array of base64 keys");
  }
  const witnesses = [
    ...new Set((o.witnesses ?? []).map((k, i) => {
      const n = normaliseKey(k);
      if (n === null) throw new TypeError(`witnesses[${i}]: not a base64 Ed25519 public key (32 bytes)`);
      return n;
    })),
  ];
  const k = o.witnessesRequired;
  if (k !== undefined && (!Number.isSafeInteger(k) || k < 1 || k > witnesses.length)) {
    throw new TypeError(
      `witnessesRequired: must be an integer from 1 to the number of distinct witness keys (${witnesses.length})`,
    );
  }
  const d = o.legacyUntil;
  if (d !== undefined && (typeof d !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(d) || isNaN(Date.parse(d)))) {
    throw new TypeError("legacyUntil: not a YYYY-MM-DD date");
  }
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== "number" || !(t > 0) || !Number.isFinite(t))) {
    throw new TypeError("timeoutMs: must be a positive number of milliseconds");
  }
  return {
    logKey,
    witnesses,
    required: k ?? witnesses.length,
    legacyUntil: d,
    timeoutMs: t ?? DEFAULT_OVERALL_TIMEOUT_MS,
  };
}
