import assert from "node:assert/strict";
import { settleAll } from "../../domain/track_record/settlement/settle.ts";
import { startFakeGithubContents } from "../_helpers/fake_github_contents.ts";
import { openTestWorld, signInAdmin, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";

const HOUR = 3_600_000;
const SIG = [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "000001.SZ", weight: 0.3 }];
/** 2026-05-14 (Thursday) at hh:mm:ss.mmm Asia/Shanghai. */
const cst = (h: number, m: number, s = 0, ms = 0) => Date.UTC(2026, 4, 14, h - 8, m, s, ms);

async function user(w: TestWorld, email = "quant@example.com") {
  return (await signInWithOtp(w, email)).access_token;
}

async function create(w: TestWorld, token: string, slug: string, extra: Record<string, unknown> = {}) {
  const res = await w.request("POST", "/api/v1/strategies", { token, json: { name: slug, slug, ...extra } });
  return { res, body: await res.json() };
}

const submit = (w: TestWorld, token: string, slug: string, trade_date: string, signals: unknown = SIG) =>
  w.request("POST", `/api/v1/strategies/${slug}/signals`, { token, json: { trade_date, signals } });

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

Deno.test("POST /strategies applies the defaults and answers 201, pending and public", () =>
  withWorld(async (w) => {
    const a = await user(w);
    const { res, body } = await create(w, a, "alpha-1");
    assert.equal(res.status, 201);
    assert.equal(body.status, "pending");
    assert.equal(body.is_public, true);
    assert.deepEqual(
      [
        body.universe,
        body.execution_price,
        body.holding_period,
        body.initial_capital,
        body.commission_rate,
        body.slippage_rate,
      ],
      ["hs300", "open", 10, 1_000_000, 0.0003, 0.002],
    );
  }));

Deno.test("POST /strategies: a slug taken by another user answers 409", () =>
  withWorld(async (w) => {
    const a = await user(w);
    await create(w, a, "alpha-1");
    const b = await user(w, "other@example.com");
    assert.equal((await create(w, b, "alpha-1")).res.status, 409);
  }));

Deno.test("POST /strategies refuses malformed slugs with 422", () =>
  withWorld(async (w) => {
    const a = await user(w);
    for (const bad of ["ab", "-abc", "Abc", "a".repeat(50), "a b c"]) {
      assert.equal((await create(w, a, bad)).res.status, 422, bad);
    }
  }));

Deno.test("POST /strategies refuses out-of-range settings and unknown fields with 422", () =>
  withWorld(async (w) => {
    const a = await user(w);
    for (
      const extra of [{ holding_period: 61 }, { initial_capital: 99_999 }, { universe: "us" }, {
        owner_id: "x",
      }]
    ) {
      assert.equal((await create(w, a, "beta-1", extra)).res.status, 422, JSON.stringify(extra));
    }
  }));

Deno.test("GET /strategies/{slug}: another user's strategy is not found", () =>
  withWorld(async (w) => {
    const a = await user(w);
    await create(w, a, "alpha-1");
    const b = await user(w, "other@example.com");
    assert.equal((await w.request("GET", "/api/v1/strategies/alpha-1", { token: b })).status, 404);
  }));

Deno.test("two creations racing on one slug: exactly one wins", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    const b = await user(w, "b@example.com");
    const results = await Promise.all([create(w, a, "race-slug"), create(w, b, "race-slug")]);
    assert.deepEqual(results.map((r) => r.res.status).sort(), [201, 409]);
  } finally {
    await w.close();
  }
});

Deno.test("the tier limit counts strategies that are not retired (403 at the limit)", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    for (const s of ["lim-1", "lim-2", "lim-3"]) assert.equal((await create(w, a, s)).res.status, 201);
    assert.equal((await create(w, a, "lim-4")).res.status, 403);
    assert.equal((await w.request("DELETE", "/api/v1/strategies/lim-1", { token: a })).status, 200);
    assert.equal((await create(w, a, "lim-4")).res.status, 201);
    const list = await (await w.request("GET", "/api/v1/strategies?status=retired", { token: a })).json();
    assert.deepEqual(list.items.map((s: { slug: string }) => s.slug), ["lim-1"]);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH takes only name, description, status and is_public, and follows the status machine", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    await create(w, a, "machine");
    const patch = (json: unknown) => w.request("PATCH", "/api/v1/strategies/machine", { token: a, json });
    assert.equal((await patch({ holding_period: 5 })).status, 422);
    assert.equal((await patch({ status: "active" })).status, 400, "pending becomes active only by a signal");
    assert.equal((await patch({ status: "paused" })).status, 400);
    const renamed = await patch({ name: "Renamed", is_public: false, description: "d" });
    assert.equal(renamed.status, 200);
    assert.equal((await renamed.json()).is_public, false);
    assert.equal((await submit(w, a, "machine", "2026-05-14")).status, 201);
    const active = await (await w.request("GET", "/api/v1/strategies/machine", { token: a })).json();
    assert.equal(active.status, "active");
    assert.equal(active.start_date, "2026-05-14");
    assert.equal((await patch({ status: "paused" })).status, 200);
    assert.equal(
      (await submit(w, a, "machine", "2026-05-15")).status,
      400,
      "paused strategies take no signals",
    );
    assert.equal((await patch({ status: "active" })).status, 200);
    assert.equal((await w.request("DELETE", "/api/v1/strategies/machine", { token: a })).status, 200);
    assert.equal((await patch({ status: "active" })).status, 400, "retired is terminal");
    assert.equal((await submit(w, a, "machine", "2026-05-15")).status, 400);
  } finally {
    await w.close();
  }
});

Deno.test("signal deadlines: 09:14:59.999 accepted, 09:15:00 refused; 15:00 for close; holidays, weekends, past", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    await create(w, a, "open-dl");
    await create(w, a, "close-dl", { execution_price: "close" });
    w.clock.set(cst(9, 14, 59, 999));
    assert.equal((await submit(w, a, "open-dl", "2026-05-14")).status, 201);
    w.clock.set(cst(9, 15));
    const late = await submit(w, a, "open-dl", "2026-05-14", [{ symbol: "600519.SH", weight: 1 }]);
    assert.equal(late.status, 400);
    assert.match((await late.json()).detail, /deadline passed/);
    const again = await submit(w, a, "open-dl", "2026-05-14");
    assert.equal(again.status, 409, "identical to the recorded one: already submitted, whatever the time");
    assert.equal((await again.json()).replaceable, false);
    w.clock.set(cst(14, 59, 59, 999));
    assert.equal((await submit(w, a, "close-dl", "2026-05-14")).status, 201);
    w.clock.set(cst(15, 0));
    assert.equal(
      (await submit(w, a, "close-dl", "2026-05-14", [{ symbol: "600519.SH", weight: 1 }])).status,
      400,
    );
    assert.equal((await submit(w, a, "open-dl", "2026-05-18")).status, 201, "next Monday");
    assert.equal((await submit(w, a, "open-dl", "2026-05-16")).status, 400, "Saturday");
    assert.equal((await submit(w, a, "open-dl", "2026-10-01")).status, 400, "National Day");
    assert.equal((await submit(w, a, "open-dl", "2026-05-13")).status, 400, "past");
    assert.equal((await submit(w, a, "open-dl", "2026-05-15")).status, 201, "tomorrow");
  } finally {
    await w.close();
  }
});

Deno.test("signal validation: weights, sums, duplicates, symbol form, unknown symbols and indexes", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    await create(w, a, "valid-1");
    const cases: [unknown, number][] = [
      [[{ symbol: "600519.SH", weight: 0 }], 422],
      [[{ symbol: "600519.SH", weight: 1.2 }], 422],
      [[{ symbol: "600519.SH", weight: 0.6 }, { symbol: "000001.SZ", weight: 0.5 }], 422],
      [[{ symbol: "600519.SH", weight: 0.2 }, { symbol: "600519.SH", weight: 0.2 }], 422],
      [[{ symbol: "AAPL", weight: 0.2 }], 422],
      [[{ symbol: "999999.SH", weight: 0.2 }], 422],
      [[{ symbol: "000300.SH", weight: 0.2 }], 422],
      [[{ symbol: "600519.SH", weight: "0.2" }], 422],
      [[{ symbol: "600519.SH", weight: 0.2, extra: 1 }], 422],
      [[], 201],
    ];
    for (const [signals, status] of cases) {
      const res = await submit(w, a, "valid-1", "2026-05-14", signals);
      assert.equal(res.status, status, JSON.stringify(signals));
      if (status === 422) assert.ok(Array.isArray((await res.json()).detail));
    }
    const noStrategy = await submit(w, a, "nope-1", "2026-05-14");
    assert.equal(noStrategy.status, 404);
  } finally {
    await w.close();
  }
});

/** Signs in and creates the strategy "replace-1" with its first signal for 2026-05-14. */
async function withFirstSignal(w: TestWorld) {
  const a = await user(w);
  await create(w, a, "replace-1");
  const first = await (await submit(w, a, "replace-1", "2026-05-14")).json();
  return { a, first };
}

Deno.test("signals: the first submission of a day replaces nothing; an identical resubmission is 409 and changes nothing", () =>
  withWorld(async (w) => {
    const { a, first } = await withFirstSignal(w);
    assert.equal(first.replaced, false);
    const same = await submit(w, a, "replace-1", "2026-05-14");
    assert.equal(same.status, 409);
    const body = await same.json();
    assert.match(body.detail, /already submitted and recorded with identical content/);
    assert.deepEqual({ ...body, detail: undefined }, {
      detail: undefined,
      trade_date: "2026-05-14",
      existing_signal_id: first.id,
      existing_signal_hash: first.signal_hash,
      identical: true,
      reason: "identical",
      replaceable: true,
    });
    const list = await (await w.request("GET", "/api/v1/strategies/replace-1/signals", { token: a })).json();
    assert.equal(list.items[0].submitted_at, first.submitted_at, "nothing was written");
  }));

Deno.test("signals: a different second submission replaces the first, and both versions are logged", () =>
  withWorld(async (w) => {
    const { a, first } = await withFirstSignal(w);
    const second = await (await submit(w, a, "replace-1", "2026-05-14", [{ symbol: "600519.SH", weight: 1 }]))
      .json();
    assert.equal(second.replaced, true);
    assert.notEqual(second.signal_hash, first.signal_hash);
    assert.equal(second.replaced_versions, 1);
    assert.equal(second.log.leaf_index, 1, "every version is in the log");
    const list = await (await w.request("GET", "/api/v1/strategies/replace-1/signals", { token: a })).json();
    assert.equal(list.total, 1);
    assert.equal(list.items[0].signal_hash, second.signal_hash);
  }));

Deno.test("signals: withdrawing a day with no signal answers 404", () =>
  withWorld(async (w) => {
    const { a } = await withFirstSignal(w);
    assert.equal(
      (await w.request("DELETE", "/api/v1/strategies/replace-1/signals/2026-05-15", { token: a })).status,
      404,
    );
  }));

Deno.test("signals: withdrawing before the deadline removes the signal", () =>
  withWorld(async (w) => {
    const { a } = await withFirstSignal(w);
    await submit(w, a, "replace-1", "2026-05-15");
    assert.equal(
      (await w.request("DELETE", "/api/v1/strategies/replace-1/signals/2026-05-15", { token: a })).status,
      200,
    );
    assert.equal(
      (await w.request("GET", "/api/v1/strategies/replace-1/signals", { token: a }).then((r) => r.json()))
        .total,
      1,
    );
  }));

Deno.test("signals: withdrawing after the deadline is refused", () =>
  withWorld(async (w) => {
    const { a } = await withFirstSignal(w);
    w.clock.set(cst(9, 15));
    assert.equal(
      (await w.request("DELETE", "/api/v1/strategies/replace-1/signals/2026-05-14", { token: a })).status,
      400,
    );
  }));

Deno.test("two submissions racing for the same strategy-day: one wins each step, never a lost update", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    await create(w, a, "race-sig");
    for (let step = 0; step < 4; step++) {
      const responses = await Promise.all([
        submit(w, a, "race-sig", "2026-05-14", [{ symbol: "600519.SH", weight: 0.1 + step / 10 }]),
        submit(w, a, "race-sig", "2026-05-14", [{ symbol: "000001.SZ", weight: 0.1 + step / 10 }]),
      ]);
      const bodies = await Promise.all(responses.map((r) => r.json()));
      const won = bodies.filter((_, i) => responses[i].status === 201);
      const lost = responses.filter((r) => r.status === 409);
      // Either they overlapped (one 201, one 409) or ran one after the other (the second replaced the first).
      assert.equal(won.length + lost.length, 2, JSON.stringify(bodies));
      if (won.length === 2) assert.ok(won.some((b) => b.replaced), "the later one replaced the earlier");
      if (step === 0) {
        assert.ok(won.filter((b) => !b.replaced).length <= 1, "only one can be the first version");
      }
      const stored = await w.deps.track.signals.get("race-sig", "2026-05-14");
      assert.ok(won.some((b) => b.signal_hash === stored!.signal_hash));
    }
  } finally {
    await w.close();
  }
});

Deno.test("signal writes that read the same state: exactly one commits, the other is a ConflictError", async () => {
  const w = await openTestWorld();
  try {
    const a = await user(w);
    await create(w, a, "race-repo");
    await submit(w, a, "race-repo", "2026-05-14");
    const repo = w.deps.track.signals;
    const entry = await repo.getEntry("race-repo", "2026-05-14");
    const variant = (hash: string) => ({ ...entry.value!, signal_hash: hash.repeat(64) });
    const results = await Promise.allSettled([repo.put(variant("a"), entry), repo.put(variant("b"), entry)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.equal(rejected.reason.name, "ConflictError");
  } finally {
    await w.close();
  }
});

/** A world whose GitHub attestations go through Octokit to a loopback contents API. */
async function withGithub(
  fn: (w: TestWorld, gh: ReturnType<typeof startFakeGithubContents>, a: string) => Promise<void>,
) {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    const a = await user(w);
    await create(w, a, "gh-1");
    await fn(w, gh, a);
  } finally {
    await w.close();
    await gh.close();
  }
}

Deno.test("GitHub attestation: the answer comes before the commit, which then lands in the repository", () =>
  withGithub(async (w, gh, a) => {
    const answered = await (await submit(w, a, "gh-1", "2026-05-14")).json();
    // The answer comes before the GitHub round trip: logged already, the commit pending until the background
    // step has run.
    assert.equal(answered.log.leaf_index, 0);
    assert.deepEqual(answered.attestation, { committed: false, reason: "pending" });
    await w.deps.track.background.drain();
    const ok = await (await w.request("GET", "/api/v1/strategies/gh-1/signals", { token: a })).json()
      .then((page) => page.items[0]);
    assert.equal(ok.attestation.committed, true, JSON.stringify(ok.attestation));
    assert.equal(ok.github_committed, true);
    const file = gh.file("signals/gh-1/2026-05-14.json");
    assert.ok(file);
    assert.equal(JSON.parse(file.text).signal_hash, ok.signal_hash);
    assert.equal(JSON.parse(file.text).canonical_json, ok.canonical_json);
  }));

Deno.test("GitHub attestation: an attested signal is final", () =>
  withGithub(async (w, _gh, a) => {
    await submit(w, a, "gh-1", "2026-05-14");
    await w.deps.track.background.drain();
    const again = await submit(w, a, "gh-1", "2026-05-14", [{ symbol: "600519.SH", weight: 1 }]);
    assert.equal(again.status, 409, "attested signals are final (not 'deadline passed')");
    const body = await again.json();
    assert.match(body.detail, /already submitted and attested on GitHub; it cannot be replaced/);
    assert.equal(body.reason, "attested");
    assert.equal(body.replaceable, false);
  }));

Deno.test("GitHub attestation: a failed commit keeps the signal, and the retry job commits it later", () =>
  withGithub(async (w, gh, a) => {
    gh.failWith = 500;
    assert.equal((await submit(w, a, "gh-1", "2026-05-15")).status, 201);
    await w.deps.track.background.drain();
    const failed = (await w.deps.track.signals.get("gh-1", "2026-05-15"))!;
    assert.equal(failed.attestation.committed, false);
    assert.match((failed.attestation as { reason: string }).reason, /github_error: 500/);
    assert.ok(await w.deps.track.signals.get("gh-1", "2026-05-15"), "the signal is kept");
    gh.failWith = null;
    const admin = (await signInAdmin(w)).access_token;
    const retry = await w.request("POST", "/api/v1/admin/jobs/retry-attestations/run", { token: admin });
    assert.equal(retry.status, 200);
    assert.deepEqual((await retry.json()).summary, { committed: 1, failed: 0 });
    assert.equal((await w.deps.track.signals.get("gh-1", "2026-05-15"))!.attestation.committed, true);
  }));

const CLAIMED = [{ date: "2026-04-01", nav: 1 }, { date: "2026-04-02", nav: 1.01 }, {
  date: "2026-04-03",
  nav: 0.99,
}];

/** Signs in and creates "claim-1"; `put` uploads claimed records for it. */
async function claimStrategy(w: TestWorld) {
  const a = await user(w);
  await create(w, a, "claim-1");
  const put = (records: unknown) =>
    w.request("PUT", "/api/v1/strategies/claim-1/claimed", { token: a, json: { records } });
  return { a, put };
}

/** "claim-1" activated by a signal on 2026-05-14, with CLAIMED uploaded. */
async function withClaimedHistory(w: TestWorld) {
  const c = await claimStrategy(w);
  await submit(w, c.a, "claim-1", "2026-05-14");
  await c.put(CLAIMED);
  return c;
}

Deno.test("claimed history: a pending strategy cannot claim a history", () =>
  withWorld(async (w) => {
    const { put } = await claimStrategy(w);
    assert.equal((await put(CLAIMED)).status, 400, "pending strategy");
  }));

Deno.test("claimed history: refuses one point, unordered, duplicate, future, non-positive or huge NAVs", () =>
  withWorld(async (w) => {
    const { a, put } = await claimStrategy(w);
    const recs = CLAIMED;
    await submit(w, a, "claim-1", "2026-05-14");
    assert.equal((await put([recs[0]])).status, 422, "one point");
    assert.equal((await put([recs[1], recs[0]])).status, 422, "descending");
    assert.equal((await put([recs[0], recs[0]])).status, 422, "duplicate");
    assert.equal((await put([recs[0], { date: "2026-05-15", nav: 1 }])).status, 422, "tomorrow (CST)");
    assert.equal(
      (await put([recs[0], { date: "2026-05-14", nav: 1 }])).status,
      201,
      "today overlaps: allowed",
    );
    assert.equal((await put([recs[0], { date: "2026-04-02", nav: 0 }])).status, 422, "non-positive");
    assert.equal((await put([recs[0], { date: "2026-04-02", nav: 2e10 }])).status, 422, "too large");
  }));

Deno.test("claimed history: the first upload answers 201 with its summary, a repeat answers 200", () =>
  withWorld(async (w) => {
    const { a, put } = await claimStrategy(w);
    await submit(w, a, "claim-1", "2026-05-14");
    const first = await put(CLAIMED);
    assert.equal(first.status, 201);
    const summary = await first.json();
    assert.equal(summary.data_points, 3);
    assert.equal(summary.start_date, "2026-04-01");
    assert.ok(Math.abs(summary.total_return - -0.01) < 1e-12);
    assert.ok(Math.abs(summary.max_drawdown - (1 - 0.99 / 1.01)) < 1e-12);
    assert.equal((await put(CLAIMED)).status, 200);
  }));

Deno.test("claimed history: the public list flags it and the public view shows it with no tracking block", () =>
  withWorld(async (w) => {
    await withClaimedHistory(w);
    const listed = await (await w.request("GET", "/api/v1/public/strategies")).json();
    assert.equal(listed.items.find((x: { slug: string }) => x.slug === "claim-1").has_claimed, true);
    const pub = await (await w.request("GET", "/api/v1/public/strategies/claim-1/claimed")).json();
    assert.equal(pub.data_points, 3);
    assert.ok(!("tracking" in pub), "no tracking block without 5 common dates");
    assert.match(pub.tracking_note, /at least 5 dates/);
  }));

Deno.test("claimed history: the old /backtest address redirects 308 to /claimed", () =>
  withWorld(async (w) => {
    const { a } = await withClaimedHistory(w);
    const moved = await w.request("GET", "/api/v1/strategies/claim-1/backtest", { token: a });
    assert.equal(moved.status, 308);
    assert.equal(moved.headers.get("location"), "/api/v1/strategies/claim-1/claimed");
  }));

Deno.test("claimed history: deleting removes every point", () =>
  withWorld(async (w) => {
    const { a } = await withClaimedHistory(w);
    const del = await w.request("DELETE", "/api/v1/strategies/claim-1/claimed", { token: a });
    assert.deepEqual(await del.json(), { deleted: true, data_points_removed: 3 });
    assert.equal((await w.request("GET", "/api/v1/strategies/claim-1/claimed", { token: a })).status, 404);
  }));

/** Public "pub-1" and private "private-1", each with a signal for 2026-05-14; nothing settled yet. */
async function twoSignalledStrategies(w: TestWorld) {
  const a = await user(w);
  await create(w, a, "pub-1");
  await create(w, a, "private-1");
  await w.request("PATCH", "/api/v1/strategies/private-1", { token: a, json: { is_public: false } });
  const sig = await (await submit(w, a, "pub-1", "2026-05-14")).json();
  await submit(w, a, "private-1", "2026-05-14");
  const admin = (await signInAdmin(w)).access_token;
  return { a, admin, sig };
}

const settle = (w: TestWorld, admin: string) =>
  w.request("POST", "/api/v1/admin/jobs/settle-signals/run?date=2026-05-14", { token: admin });

/** Both strategies settled for 2026-05-14 at 18:15 CST. */
async function settledDay(w: TestWorld) {
  const s = await twoSignalledStrategies(w);
  w.clock.set(T0 + 9.25 * HOUR); // 18:15 CST
  await settle(w, s.admin);
  return s;
}

Deno.test("settle-signals refuses to run before the close", () =>
  withWorld(async (w) => {
    const { admin } = await twoSignalledStrategies(w);
    const early = await settle(w, admin);
    assert.equal(early.status, 400, "not before the close");
  }));

Deno.test("settle-signals is for admins only", () =>
  withWorld(async (w) => {
    const { a } = await twoSignalledStrategies(w);
    assert.equal(
      (await w.request("POST", "/api/v1/admin/jobs/settle-signals/run", { token: a })).status,
      403,
    );
  }));

Deno.test("after settlement the public list holds only public strategies, with their trading days", () =>
  withWorld(async (w) => {
    const { admin } = await twoSignalledStrategies(w);
    w.clock.set(T0 + 9.25 * HOUR); // 18:15 CST
    const run = await settle(w, admin);
    assert.equal(run.status, 200);
    const list = await (await w.request("GET", "/api/v1/public/strategies")).json();
    assert.deepEqual(list.items.map((s: { slug: string }) => s.slug), ["pub-1"]);
    assert.equal(list.items[0].trading_days, 1);
  }));

Deno.test("a private strategy's track record is not public", () =>
  withWorld(async (w) => {
    await settledDay(w);
    assert.equal((await w.request("GET", "/api/v1/public/strategies/private-1/track-record")).status, 404);
  }));

Deno.test("verify for a settled day matches the signal hash and the track record's NAV", () =>
  withWorld(async (w) => {
    const { sig } = await settledDay(w);
    const rec = await (await w.request("GET", "/api/v1/public/strategies/pub-1/track-record")).json();
    assert.equal(rec.records.length, 1);
    const v = await (await w.request("GET", "/api/v1/public/strategies/pub-1/verify?date=2026-05-14")).json();
    assert.equal(v.signal.signal_hash, sig.signal_hash);
    assert.equal(v.nav_check.difference, 0);
    assert.equal(v.symbols_hash.length, 16);
    assert.equal(v.github_raw_url, null, "no GitHub attestation configured");
    assert.equal(v.verification.signal_attestation.github_raw_url, null);
    assert.equal(v.verification.signal_attestation.reason, "repo_not_configured");
    assert.ok(v.how_to_verify.length >= 5);
    // A production strategy: step 7 names the production log's checkpoint.
    const step7 = v.how_to_verify.find((s: string) => s.startsWith("7."));
    assert.match(step7, /GET \/api\/v1\/public\/log\/checkpoint \(/);
    assert.equal(rec.records[0].nav_value, v.nav);
    assert.equal(rec.records[0].nav, v.nav / 1_000_000, "normalised to the initial capital");
  }));

Deno.test("log proof: found for a logged signal hash, 404 for an unknown one, 422 for a malformed one", () =>
  withWorld(async (w) => {
    const { sig } = await settledDay(w);
    const proof = await w.request("GET", `/api/v1/public/log/proof/${sig.signal_hash}`);
    assert.equal(proof.status, 200);
    assert.equal((await proof.json()).signal.strategy_slug, "pub-1");
    assert.equal((await w.request("GET", `/api/v1/public/log/proof/${"0".repeat(64)}`)).status, 404);
    assert.equal((await w.request("GET", "/api/v1/public/log/proof/xyz")).status, 422);
  }));

Deno.test("log checkpoint covers every logged signal and settled day record and is signed with Ed25519", () =>
  withWorld(async (w) => {
    await settledDay(w);
    const cp = await (await w.request("GET", "/api/v1/public/log/checkpoint")).json();
    assert.equal(cp.tree_size, 4, "two signals, then the two strategies' day records");
    assert.equal(cp.algorithm, "Ed25519");
  }));

Deno.test("performance of a settled public strategy counts its trading days", () =>
  withWorld(async (w) => {
    await settledDay(w);
    const perf = await (await w.request("GET", "/api/v1/public/strategies/pub-1/performance")).json();
    assert.equal(perf.trading_days, 1);
  }));

Deno.test("the public audit log lists creation, activation, submission and the rebalance, newest first", () =>
  withWorld(async (w) => {
    await settledDay(w);
    const audit = await (await w.request("GET", "/api/v1/public/strategies/pub-1/audit")).json();
    assert.equal(audit.audit_log[0].event, "REBALANCE");
    assert.deepEqual(audit.audit_log.map((e: { event: string }) => e.event).sort(), [
      "ACTIVATED",
      "CREATED",
      "REBALANCE",
      "SIGNAL_SUBMITTED",
    ]);
    assert.equal(audit.total, 4);
  }));

/** Settled on 2026-05-14; the clock then at 18:45 CST on 2026-05-15 with nothing settled for that day. */
async function nextDayUnsettled(w: TestWorld) {
  await settledDay(w);
  w.clock.set(T0 + 24 * HOUR + 9.75 * HOUR);
  const admin = (await signInAdmin(w)).access_token;
  const owner = await user(w);
  return { admin, owner };
}

Deno.test("watchdog: a day left unsettled names every strategy missing a NAV and notifies the owner", () =>
  withWorld(async (w) => {
    const { admin, owner } = await nextDayUnsettled(w);
    const dog = await w.request("POST", "/api/v1/admin/jobs/watchdog/run?date=2026-05-15", { token: admin });
    assert.deepEqual((await dog.json()).summary.missing.sort(), ["private-1", "pub-1"]);
    const notes = await (await w.request("GET", "/api/v1/notifications", { token: owner })).json();
    assert.ok(JSON.stringify(notes).includes("nav_missing"));
  }));

Deno.test("/health alerts on track records while a day is unsettled and recovers once it is settled", () =>
  withWorld(async (w) => {
    const { admin } = await nextDayUnsettled(w);
    await w.request("POST", "/api/v1/admin/jobs/watchdog/run?date=2026-05-15", { token: admin });
    // `/health` serves the last run of the checks (at most every 5 s); the admin view runs them now, and that run
    // is the one `/health` serves next.
    const now = await (await w.request("GET", "/api/v1/admin/health", { token: admin })).json();
    assert.equal(now.checks.track_records.ok, false);
    const health = await (await w.request("GET", "/health")).json();
    assert.equal(health.checks.track_records.ok, false);
    await settleAll(w.deps.track, "2026-05-15");
    const rerun = await (await w.request("GET", "/api/v1/admin/health", { token: admin })).json();
    assert.equal(rerun.checks.track_records.ok, true);
    const healed = await (await w.request("GET", "/health")).json();
    assert.equal(healed.checks.track_records.ok, true);
  }));
