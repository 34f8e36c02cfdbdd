/** Shared steps of the paper-trading route tests: a saved and promoted strategy, the advance job, the log. */
import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** An SMA 5/20 cross on one A-share: trades every few weeks on the synthetic market. */
export const SMA_SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 5), sma(close, 20))",
  exit: "crosses_below(sma(close, 5), sma(close, 20))",
  sizing: { method: "percent_equity", percent: 90, max_positions: 1 },
  capital: 1_000_000,
};

/** 2026-01-05 01:00Z (a Monday, before the SSE open): the latest closed SSE session is 2025-12-31. */
export const JAN5 = Date.UTC(2026, 0, 5, 1);

/** SSE sessions from `from` through `to`. */
export const sseSessions = (from: string, to: string) => getCalendar("SSE").tradingDaysBetween(from, to);

/** Opens a world and runs `fn` in it. */
export async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Signs in `email` (from its own address, so rate limits of sign-in never meet). */
export async function tokenOf(w: TestWorld, email: string, ip = "10.0.0.1"): Promise<string> {
  return (await signInWithOtp(w, email, ip)).access_token;
}

/** Saves `spec` as my strategy `name`, stages and promotes version 1; answers its id. */
export async function savePromoted(
  w: TestWorld,
  token: string,
  name: string,
  spec: unknown = SMA_SPEC,
  promote = true,
): Promise<string> {
  const res = await w.request("POST", "/api/v1/library", { json: { name, spec }, token });
  assert.equal(res.status, 201, await res.clone().text());
  const { strategy_id } = await res.json();
  if (promote) {
    assert.equal(
      (await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token }))
        .status,
      200,
    );
    assert.equal((await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token })).status, 200);
  }
  return strategy_id;
}

/** `POST /strategies/{ref}/run` with `body`; answers the response. */
export const startRun = (w: TestWorld, token: string, ref: string, body: unknown = {}) =>
  w.request("POST", `/api/v1/strategies/${encodeURIComponent(ref)}/run`, { json: body, token });

/** Runs the `paper-advance` admin job for `date` (as `admin`, default: a fresh admin sign-in); answers its summary. */
export async function advanceJob(w: TestWorld, date: string, admin?: string): Promise<{
  date: string;
  instances: number;
  advanced: number;
  bars: number;
  fills: number;
  failed: number;
  errors: { instance_id: string; error: string }[];
}> {
  const token = admin ?? (await signInAdmin(w)).access_token;
  const res = await w.request("POST", `/api/v1/admin/jobs/paper-advance/run?date=${date}`, { token });
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.equal(body.job, "paper-advance");
  return body.summary;
}

/** A log event as answered. */
export interface Ev {
  seq: number;
  at: string;
  date: string | null;
  type: string;
  message: string;
  data: Record<string, unknown>;
}

/** Every event of an instance, read in pages of `limit` through `since`. */
export async function allEvents(w: TestWorld, token: string, ref: string, id: string, limit = 1000) {
  const out: Ev[] = [];
  let since: number | null = null;
  for (let i = 0; i < 1000; i++) {
    const q: string = since === null ? `limit=${limit}` : `limit=${limit}&since=${since}`;
    const res = await w.request("GET", `/api/v1/strategies/${ref}/instances/${id}/logs?${q}`, { token });
    assert.equal(res.status, 200);
    const page = await res.json();
    out.push(...page.events);
    if (!page.has_more) break;
    since = page.next_since;
  }
  return out;
}

/** Asserts `events` are numbered 1, 2, … without a gap. */
export function assertGapless(events: readonly Ev[]) {
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1));
}
