/**
 * The third-party verifier behind `deno task verify <base-url> <slug>`: reads only public endpoints and checks,
 * for every settled day, the signal hash, the transparency-log inclusion proof and its signed checkpoint, the
 * log's consistency up to the current checkpoint, the deadline, NAV = cash + Σ market values and, on days settled
 * with the `cash_on_ex_date_no_tax` dividend convention, that cash moved only by dividends, trades and fees; and for the
 * record as a whole that its days are consecutive SSE trading days and, when told what to expect, that it is
 * complete (first day, last day, number of settled and of signal days).
 */
import { getCalendar } from "../domain/calendar/calendar.ts";
import { canonicalSignalJson } from "../domain/track_record/signals/canonical.ts";
import { sha256Hex } from "../domain/tokens_and_hashes.ts";
import { verifyCheckpoint } from "../domain/attestation/checkpoint.ts";
import {
  type ConsistencyProof,
  type InclusionProof,
  verifyConsistencyProof,
  verifyInclusionProof,
} from "../domain/attestation/transparency_log.ts";
import type { Checkpoint } from "../domain/attestation/checkpoint.ts";

/**
 * Relative tolerance of money identities: floating-point sums of up to a few thousand terms (500 positions, 1,000
 * trades) err by ~1e-13 relative, far inside it.
 */
export const NAV_TOLERANCE = 1e-9;

/** The verdict on one day. */
export interface DayVerdict {
  date: string;
  nav: number;
  signal_hash: string | null;
  failures: string[];
}

/** What a complete record holds through `through` (the record may go on after it). */
export interface RecordExpectation {
  /** The last day the record must reach. */
  through: string;
  /** The first settled day, when known. */
  first_day?: string;
  /** Settled days through `through`. */
  settled_days?: number;
  /** Of those, days with a signal. */
  signal_days?: number;
}

/** The verdict on a whole record. */
export interface RecordVerdict {
  slug: string;
  ok: boolean;
  days: DayVerdict[];
  checkpoint: { tree_size: number; root_hash: string; key_id: string } | null;
  failures: string[];
}

type Fetch = (url: string) => Promise<Response>;

const DEADLINE_LOCAL = { open: "09:15", close: "15:00" } as const;

async function getJson(fetchFn: Fetch, url: string): Promise<unknown> {
  const res = await fetchFn(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  return await res.json();
}

const near = (a: number, b: number) =>
  Math.abs(a - b) <= NAV_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));

interface VerifyBody {
  date: string;
  nav: number;
  cash: number;
  prev_nav: number;
  positions: { symbol: string; quantity: number; price: number; market_value: number }[];
  trades?: { symbol: string; action: "BUY" | "SELL"; notional: number; commission: number }[];
  dividend_convention?: string;
  dividends?: { symbol: string; quantity: number; per_share: number; cash: number }[];
  data_provenance: { execution_price: "open" | "close" };
  signal: null | {
    signal_hash: string;
    canonical_json: string;
    signals: { symbol: string; weight: number }[];
    submitted_at: string;
    deadline_at: string;
    log: null | {
      leaf_index: number;
      tree_size: number;
      inclusion_proof: InclusionProof | null;
      consistency_proof: ConsistencyProof | null;
    };
  };
}

/** The previous day's cash and holdings (the initial capital and nothing on the first day). */
export interface OpeningState {
  cash: number;
  quantities: Map<string, number>;
}

/**
 * Checks the day's cash flow under its dividend convention: with `cash_on_ex_date_no_tax`, each credit is
 * quantity × per_share for a position held at the previous close, and opening cash + dividends − buys − fees +
 * sells = closing cash. A day with convention `none` (or none stated) credited no dividends; its cash is not
 * checked here (records settled before the convention are taken as they were written).
 */
export function cashFlowFailures(day: VerifyBody, opening: OpeningState): string[] {
  const convention = day.dividend_convention ?? "none";
  const dividends = day.dividends ?? [];
  if (convention === "none") {
    return dividends.length > 0 ? ["dividends credited on a day whose dividend_convention is none"] : [];
  }
  if (convention !== "cash_on_ex_date_no_tax") return [`unknown dividend_convention ${convention}`];
  const failures: string[] = [];
  let cash = opening.cash;
  for (const d of dividends) {
    if (!near(d.quantity * d.per_share, d.cash)) {
      failures.push(`${d.symbol}: dividend cash ≠ quantity × per_share`);
    }
    if (opening.quantities.get(d.symbol) !== d.quantity) {
      failures.push(
        `${d.symbol}: dividend on ${d.quantity} shares, but ${
          opening.quantities.get(d.symbol) ?? 0
        } were held`,
      );
    }
    cash += d.cash;
  }
  for (const t of day.trades ?? []) {
    cash += t.action === "BUY" ? -t.notional - t.commission : t.notional - t.commission;
  }
  if (!near(cash, day.cash)) {
    failures.push(`cash ${day.cash} ≠ opening cash + dividends − buys − fees + sells ${cash}`);
  }
  return failures;
}

/** Checks one settled day's bundle; returns the failures (empty when everything holds). */
export async function checkDay(
  slug: string,
  day: VerifyBody,
  head: Checkpoint,
  expectedPrevNav: number,
  opening?: OpeningState,
): Promise<string[]> {
  const failures: string[] = [];
  if (opening) failures.push(...cashFlowFailures(day, opening));
  let sum = day.cash;
  for (const p of day.positions) {
    if (!near(p.quantity * p.price, p.market_value)) {
      failures.push(`${p.symbol}: market value ≠ quantity × price`);
    }
    sum += p.market_value;
  }
  if (!near(sum, day.nav)) failures.push(`NAV ${day.nav} ≠ cash + Σ market values ${sum}`);
  if (!near(day.prev_nav, expectedPrevNav)) {
    failures.push(`prev_nav ${day.prev_nav} ≠ previous day's NAV ${expectedPrevNav}`);
  }
  const s = day.signal;
  if (!s) return failures;
  const canonical = canonicalSignalJson({ strategy: slug, trade_date: day.date, signals: s.signals });
  if (canonical !== s.canonical_json) failures.push("canonical_json is not the canonical form of the signal");
  if ((await sha256Hex(s.canonical_json)) !== s.signal_hash) {
    failures.push("signal_hash ≠ SHA-256(canonical_json)");
  }
  const deadline = Date.parse(`${day.date}T${DEADLINE_LOCAL[day.data_provenance.execution_price]}:00+08:00`);
  if (Date.parse(s.deadline_at) !== deadline) {
    failures.push(`deadline_at ${s.deadline_at} is not the rule's deadline`);
  }
  if (!(Date.parse(s.submitted_at) < deadline)) {
    failures.push(`submitted at ${s.submitted_at}, after the deadline`);
  }
  const log = s.log;
  if (!log || !log.inclusion_proof) {
    failures.push("signal has no transparency-log inclusion proof");
    return failures;
  }
  const proof = log.inclusion_proof;
  if (proof.signal_hash !== s.signal_hash) failures.push("inclusion proof is for another hash");
  if (!(await verifyInclusionProof(proof, head.public_key))) {
    failures.push("inclusion proof or its checkpoint signature does not verify");
  }
  if (!(proof.checkpoint.timestamp < deadline)) failures.push("signal was not logged before the deadline");
  const consistency = log.consistency_proof;
  if (
    !consistency || consistency.second !== head.tree_size || consistency.first !== proof.tree_size ||
    consistency.first_root !== proof.root_hash || consistency.second_root !== head.root_hash ||
    !(await verifyConsistencyProof(consistency))
  ) {
    failures.push("log consistency from the signal's checkpoint to the current head does not verify");
  }
  return failures;
}

/** Verifies every settled day of `slug` at `baseUrl` (e.g. `http://localhost:8000`). */
export async function verifyRecord(
  baseUrl: string,
  slug: string,
  fetchFn: Fetch = fetch,
  expect?: RecordExpectation,
): Promise<RecordVerdict> {
  const base = baseUrl.replace(/\/+$/, "") + "/api/v1/public";
  const failures: string[] = [];
  const record = await getJson(fetchFn, `${base}/strategies/${encodeURIComponent(slug)}/track-record`) as {
    initial_capital: number;
    is_demo?: boolean;
    /** `nav` is normalised to 1.0 at the start; `nav_value` is the currency NAV the days verify. */
    records: { date: string; nav: number; nav_value?: number }[];
  };
  // A demo strategy's signals are in the demo's own log.
  const head = await getJson(
    fetchFn,
    `${base}/log/checkpoint${record.is_demo ? "?log=demo" : ""}`,
  ) as Checkpoint;
  if (!(await verifyCheckpoint(head))) {
    failures.push("the current log checkpoint's signature does not verify");
  }
  const days: DayVerdict[] = [];
  let prevNav = record.initial_capital;
  let opening: OpeningState = { cash: record.initial_capital, quantities: new Map() };
  for (const r of record.records) {
    const day = await getJson(
      fetchFn,
      `${base}/strategies/${encodeURIComponent(slug)}/verify?date=${r.date}`,
    ) as VerifyBody;
    const dayFailures = await checkDay(slug, day, head, prevNav, opening);
    const recordNav = r.nav_value ?? r.nav;
    if (!near(day.nav, recordNav)) {
      dayFailures.push(`track-record NAV ${recordNav} ≠ verified NAV ${day.nav}`);
    }
    if (r.nav_value !== undefined && !near(r.nav, r.nav_value / record.initial_capital)) {
      dayFailures.push(`track-record normalised NAV ${r.nav} ≠ nav_value / initial_capital`);
    }
    days.push({
      date: r.date,
      nav: day.nav,
      signal_hash: day.signal?.signal_hash ?? null,
      failures: dayFailures,
    });
    prevNav = day.nav;
    opening = { cash: day.cash, quantities: new Map(day.positions.map((p) => [p.symbol, p.quantity])) };
  }
  if (days.length === 0) failures.push("no settled days to verify");
  failures.push(...gapFailures(days.map((d) => d.date)));
  if (expect) failures.push(...completenessFailures(days, expect));
  return {
    slug,
    ok: failures.length === 0 && days.every((d) => d.failures.length === 0),
    days,
    checkpoint: { tree_size: head.tree_size, root_hash: head.root_hash, key_id: head.key_id },
    failures,
  };
}

const sse = getCalendar("SSE");

/** Settlement fills every SSE trading day from the start in order, so a missing day means a missing record. */
function gapFailures(dates: string[]): string[] {
  const failures: string[] = [];
  for (let i = 1; i < dates.length; i++) {
    const expected = sse.nextTradingDay(dates[i - 1]);
    if (dates[i] !== expected) {
      failures.push(
        dates[i] > expected
          ? `settled days are not consecutive: ${dates[i - 1]} is followed by ${
            dates[i]
          } (missing ${expected})`
          : `settled days are out of order: ${dates[i - 1]} is followed by ${dates[i]}`,
      );
    }
  }
  return failures;
}

/** Checks that the record reaches `expect.through` with the expected number of settled and signal days. */
export function completenessFailures(
  days: Pick<DayVerdict, "date" | "signal_hash">[],
  expect: RecordExpectation,
): string[] {
  const upTo = days.filter((d) => d.date <= expect.through);
  const last = upTo.at(-1)?.date ?? null;
  const failures: string[] = [];
  const incomplete = (what: string) => failures.push(`incomplete record: ${what}`);
  if (expect.first_day !== undefined && upTo[0]?.date !== expect.first_day) {
    incomplete(`the first settled day is ${upTo[0]?.date ?? "missing"}, expected ${expect.first_day}`);
  }
  if (last !== expect.through) {
    incomplete(`settled through ${last ?? "no day"}, expected through ${expect.through}`);
  }
  if (expect.settled_days !== undefined && upTo.length !== expect.settled_days) {
    incomplete(`${upTo.length} settled days through ${expect.through}, expected ${expect.settled_days}`);
  }
  const signals = upTo.filter((d) => d.signal_hash).length;
  if (expect.signal_days !== undefined && signals !== expect.signal_days) {
    incomplete(`${signals} days with a signal through ${expect.through}, expected ${expect.signal_days}`);
  }
  return failures;
}
