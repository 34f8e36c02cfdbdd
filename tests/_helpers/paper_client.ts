/**
 * A client of the paper-trading routes (document 003 "Strategy Operations", issue 16) for the conformance and
 * acceptance tests: permanent API keys (so the test may move its clock across months without a session
 * expiring), a library strategy saved and promoted through document 003's promotion paths, the exchange
 * calendar read through `GET /api/v1/calendar`, the daily `paper-advance` job run for a date, and an instance's
 * whole event log read page by page.
 */
import assert from "node:assert/strict";
import { signInAdmin, signInWithOtp, type TestWorld } from "./test_app.ts";

/** An answer read as a client of the document reads it. */
// deno-lint-ignore no-explicit-any -- answers are read as the document's untyped client reads them
export type Answer = { status: number; body: Record<string, any> };

/** A bearer-credential client of the world. */
export interface PaperClient {
  w: TestWorld;
  token: string;
  call(method: string, path: string, json?: unknown): Promise<Answer>;
  /** `call`, asserting the status (the body in the failure message). */
  // deno-lint-ignore no-explicit-any -- as above
  expect(status: number, method: string, path: string, json?: unknown): Promise<Record<string, any>>;
}

/** A client of `w` holding `token`. */
export function paperClient(w: TestWorld, token: string): PaperClient {
  const c: PaperClient = {
    w,
    token,
    async call(method, path, json) {
      const res = await w.request(method, path, { json, token: c.token });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async expect(status, method, path, json) {
      const a = await c.call(method, path, json);
      assert.equal(
        a.status,
        status,
        `${method} ${path} → ${a.status}: ${JSON.stringify(a.body).slice(0, 600)}`,
      );
      return a.body;
    },
  };
  return c;
}

/** Signs `email` in (OTP) and swaps the session for a permanent API key, so clock moves never log it out. */
export async function keyedClient(w: TestWorld, email: string, ip: string): Promise<PaperClient> {
  const pair = email === "admin@example.com" ? await signInAdmin(w) : await signInWithOtp(w, email, ip);
  const c = paperClient(w, pair.access_token);
  const key = await c.expect(201, "POST", "/api/v1/billing/api-keys", { name: "paper-test" });
  c.token = key.api_key;
  return c;
}

/**
 * Saves `spec` in the library as `name` (version 1), then stages and promotes it through document 003's
 * "Strategy Promotion" paths; answers the library strategy id (`strat_…`).
 */
export async function savePromoted(
  c: PaperClient,
  name: string,
  spec: Record<string, unknown>,
): Promise<string> {
  const saved = await c.expect(201, "POST", "/api/v1/library", { name, spec });
  assert.equal(saved.version, 1);
  const staged = await c.expect(200, "POST", `/api/v1/strategies/${encodeURIComponent(name)}/stage`);
  assert.equal(staged.staging_version, 1);
  const promoted = await c.expect(200, "POST", `/api/v1/strategies/${encodeURIComponent(name)}/promote`);
  assert.equal(promoted.production_version, 1);
  return saved.strategy_id;
}

/** `YYYY-MM-DD` of a day number of the Unix epoch, and back. */
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const msOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Every calendar date from `from` through `to`. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = msOf(from); t <= msOf(to); t += 86_400_000) out.push(dayOf(t));
  return out;
}

/** The trading days of `exchange` from `from` through `to`, read month by month from `GET /api/v1/calendar`. */
export async function tradingDays(
  w: TestWorld,
  exchange: string,
  from: string,
  to: string,
): Promise<string[]> {
  const out: string[] = [];
  const months = new Set(datesBetween(from, to).map((d) => d.slice(0, 7)));
  for (const month of months) {
    const res = await w.request("GET", `/api/v1/calendar?month=${month}&exchange=${exchange}`);
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    out.push(...(body.trading_days as string[]).filter((d) => d >= from && d <= to));
  }
  return out;
}

/** The summary of one `paper-advance` run, as the contract (A4) gives it. */
export interface AdvanceSummary {
  date: string;
  instances: number;
  advanced: number;
  bars: number;
  fills: number;
  failed: number;
  errors: { instance_id: string; error: string }[];
}

/** Runs `POST /api/v1/admin/jobs/paper-advance/run?date=` as the admin; asserts nothing failed. */
export async function advance(admin: PaperClient, date: string): Promise<AdvanceSummary> {
  const ran = await admin.expect(200, "POST", `/api/v1/admin/jobs/paper-advance/run?date=${date}`);
  assert.equal(ran.job, "paper-advance");
  const s = ran.summary as AdvanceSummary;
  assert.deepEqual(s.errors, [], `paper-advance ${date}: ${JSON.stringify(s)}`);
  assert.equal(s.failed, 0, `paper-advance ${date}: ${JSON.stringify(s)}`);
  return s;
}

/** One event of an instance's log (contract A3). */
export interface PaperEvent {
  seq: number;
  at: string;
  date: string | null;
  type: string;
  message: string;
  // deno-lint-ignore no-explicit-any -- event data differs by type
  data: Record<string, any>;
}

/** Most log pages read for one instance (1000 events a page). */
const MAX_LOG_PAGES = 100;

/** Every event of an instance's log, following `next_since` page by page; checks `seq` is 1-based and gapless. */
export async function allEvents(c: PaperClient, base: string, instanceId: string): Promise<PaperEvent[]> {
  const events: PaperEvent[] = [];
  let since: number | null = null;
  for (let page = 0; page < MAX_LOG_PAGES; page++) {
    const q = since === null ? "limit=1000" : `limit=1000&since=${since}`;
    const body = await c.expect(200, "GET", `${base}/instances/${instanceId}/logs?${q}`);
    events.push(...body.events);
    if (!body.has_more) break;
    since = body.next_since;
  }
  events.forEach((e, i) => assert.equal(e.seq, i + 1, `event ${i} has seq ${e.seq}`));
  return events;
}
