/**
 * The ledger of checks: every comparison is counted under a stable kind (`trade.fill_price`, `chain.record_hash`,
 * …), and each failure is a line starting with its kind in brackets, e.g.
 * `[trade.fill_price] 2026-07-10 BUY 600519.SH: published 1702.1 ≠ replayed 1702.12`.
 * Numbers agree when `|a − b| ≤ 1e-9 · max(1, |a|, |b|)`; integers, strings, booleans and nulls must be equal.
 */

/** Relative tolerance of a number comparison. */
export const TOLERANCE = 1e-9;

/** Counts per kind. */
export interface KindCount {
  total: number;
  failed: number;
}

/** The relative error the tolerance bounds: `|a − b| / max(1, |a|, |b|)`. */
export function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");

/** Collects checks and failures; `sink` is where a failure line goes (a day's list or the record's). */
export class Ledger {
  total = 0;
  failed = 0;
  readonly byKind: Record<string, KindCount> = {};
  /** Largest relative error over the replayed figures that agreed or not (numbers only). */
  maxReplayError = 0;
  /** Replayed figures compared. */
  replayCompared = 0;

  /** Records one check of `kind`; on failure pushes `[kind] message` to `sink`. Returns `ok`. */
  check(sink: string[], kind: string, ok: boolean, message: () => string): boolean {
    this.total++;
    const k = (this.byKind[kind] ??= { total: 0, failed: 0 });
    k.total++;
    if (!ok) {
      this.failed++;
      k.failed++;
      sink.push(`[${kind}] ${message()}`);
    }
    return ok;
  }

  /**
   * Compares a published value with the expected one: numbers within the tolerance (a `null` only with a
   * `null`), anything else exactly. `replayed` counts the comparison in the replay agreement figures.
   */
  same(
    sink: string[],
    kind: string,
    where: string,
    published: unknown,
    expected: unknown,
    opts: { replayed?: boolean; integer?: boolean; word?: string } = {},
  ): boolean {
    let ok: boolean;
    if (typeof expected === "number" && typeof published === "number" && !opts.integer) {
      const err = relativeError(published, expected);
      ok = err <= TOLERANCE;
      if (opts.replayed) {
        this.replayCompared++;
        if (Number.isFinite(err)) this.maxReplayError = Math.max(this.maxReplayError, err);
      }
    } else {
      ok = published === expected;
      if (opts.replayed && typeof expected === "number") this.replayCompared++;
    }
    return this.check(
      sink,
      kind,
      ok,
      () => `${where}: published ${show(published)} ≠ ${opts.word ?? "replayed"} ${show(expected)}`,
    );
  }
}
