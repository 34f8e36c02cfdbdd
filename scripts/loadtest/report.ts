/** The load test's verdicts against the issue's targets, and the table. */
import type { RowKind } from "./rows.ts";
import type { LoadResult } from "./wrk.ts";

/** Public reads: at least this share of the KV-read reference's rate, with a p99 under `PUBLIC_P99_MS`. */
export const PUBLIC_RATE_SHARE = 0.5;
export const PUBLIC_P99_MS = 20;
/** `/health`: at least `HEALTH_RPS` requests per second with a p99 under `HEALTH_P99_MS`. */
export const HEALTH_RPS = 5_000;
export const HEALTH_P99_MS = 10;

/** What the first request of a row answered. */
export interface FirstAnswer {
  status: number;
  bytes: number;
  encoding: string | null;
  etag: string | null;
}

/** One measured row. */
export interface RowResult extends LoadResult {
  id: string;
  label: string;
  kind: RowKind;
  answer: FirstAnswer;
  /** The status the row is expected to answer (304 for a conditional row). */
  expected_status: number;
  /** This row's rate over the KV-read reference's, or `null` when that was not measured. */
  kv_ratio: number | null;
  verdict: "reference" | "reported" | "meets" | "misses";
  /** Why a row misses (empty when it meets). */
  reasons: string[];
}

/** The verdict of a row given the KV-read reference's rate (`null` when not measured in this run). */
export function judge(
  kind: RowKind,
  r: LoadResult,
  answer: FirstAnswer,
  expected: number,
  kvRps: number | null,
): Pick<RowResult, "kv_ratio" | "verdict" | "reasons"> {
  const kv_ratio = kvRps ? r.rps / kvRps : null;
  const reasons: string[] = [];
  if (r.requests === 0) reasons.push("no request completed in the run");
  if (answer.status !== expected) reasons.push(`answered ${answer.status}, not ${expected}`);
  if (r.non_2xx_3xx > 0) reasons.push(`${r.non_2xx_3xx} answers ≥ 400`);
  if (r.errors > 0) reasons.push(`${r.errors} socket errors`);
  if (kind === "reference" || kind === "auth") {
    return { kv_ratio, verdict: kind === "reference" ? "reference" : "reported", reasons };
  }
  if (kind === "health") {
    if (!(r.rps >= HEALTH_RPS)) reasons.push(`< ${HEALTH_RPS.toLocaleString("en-US")} req/s`);
    if (!(r.p99_ms < HEALTH_P99_MS)) reasons.push(`p99 ≥ ${HEALTH_P99_MS} ms`);
  } else {
    if (kv_ratio !== null && !(kv_ratio >= PUBLIC_RATE_SHARE)) {
      reasons.push(`< ${PUBLIC_RATE_SHARE * 100}% of the KV read`);
    }
    if (!(r.p99_ms < PUBLIC_P99_MS)) reasons.push(`p99 ≥ ${PUBLIC_P99_MS} ms`);
  }
  return { kv_ratio, verdict: reasons.length === 0 ? "meets" : "misses", reasons };
}

/** `56,512`. */
const rate = (n: number) => Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";

/** `0.41 ms`, `3.5 ms`, `134 ms`, `1,010 ms`. */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return "—";
  if (n < 1) return `${n.toFixed(2)} ms`;
  if (n < 100) return `${n.toFixed(1)} ms`;
  return `${Math.round(n).toLocaleString("en-US")} ms`;
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function answerText(a: FirstAnswer): string {
  return [String(a.status), a.encoding, a.status === 304 ? null : size(a.bytes)].filter(Boolean).join(" ");
}

function verdictText(r: RowResult): string {
  if (r.verdict === "reference" || r.verdict === "reported") {
    return r.reasons.length ? `${r.verdict}: ${r.reasons.join(", ")}` : r.verdict;
  }
  return r.verdict === "meets" ? "meets" : `misses: ${r.reasons.join(", ")}`;
}

/** The table, in markdown. */
export function table(rows: RowResult[]): string {
  const head =
    "| endpoint | answer | req/s | p50 | p99 | × KV read | verdict |\n|---|---|---|---|---|---|---|";
  const lines = rows.map((r) =>
    `| ${r.label} | ${answerText(r.answer)} | ${rate(r.rps)} | ${ms(r.p50_ms)} | ${ms(r.p99_ms)} | ${
      r.kv_ratio === null ? "—" : `${r.kv_ratio.toFixed(2)}`
    } | ${verdictText(r)} |`
  );
  return [head, ...lines].join("\n");
}
