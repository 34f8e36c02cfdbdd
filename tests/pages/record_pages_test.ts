/**
 * The public track-record pages on real records: a public, non-demo record built through the real submission,
 * logging and settlement code (a dividend ex-date and a suspension, 60+ days so the rolling figures exist) with
 * a claimed history uploaded through the domain, and the demo records replayed by `deno task demo`'s code. The
 * pages are read signed out (they are public), their HTML checked for the figures the domain answers.
 */
import assert from "node:assert/strict";
import { putClaimedHistory } from "../../domain/track_record/claimed_history.ts";
import {
  publicAudit,
  publicPerformance,
  publicTrackRecord,
} from "../../domain/track_record/public_record.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { settleStrategy } from "../../domain/track_record/settlement/settle.ts";
import type { PublicStrategyRow } from "../../domain/track_record/public_record.ts";
import { listMetricsCache } from "../../routes/pages/records/list_metrics_cache.ts";
import { getPage } from "../_helpers/page_session.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";
import { buildDividendSuspensionRecord, replayDemoRecords } from "../_helpers/track_world.ts";

const SLUG = "div-suspension";
const sse = getCalendar("SSE");

/** The page's HTML and status. */
async function page(w: TestWorld, path: string): Promise<{ status: number; html: string }> {
  const res = await getPage(w, path);
  return { status: res.status, html: await res.text() };
}

/** The text of the element with `id` (first match, tags stripped, whitespace collapsed). */
function section(html: string, id: string, tag = "section"): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `#${id} is on the page`);
  const open = html.lastIndexOf(`<${tag}`, start);
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(open, end).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
}

/** The page data the script reads. */
function pageData(html: string) {
  const m = html.match(/<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/);
  assert.ok(m, "the page embeds its data");
  return JSON.parse(m[1]);
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

Deno.test("record pages: list, record, claimed, days, audit, demo, errors", async (t) => {
  const w = await openTestWorld();
  try {
    const built = await buildDividendSuspensionRecord(w, { slug: SLUG });
    const owner = (await w.deps.track.strategies.get(SLUG))!.owner_id;
    const navs = await w.deps.track.settlements.navSeries(SLUG);
    // A claimed history: 3 points before the record, then the record's own NAV ×1.001 on its first 10 days.
    const claimed = [
      { date: "2025-01-02", nav: 990_000 },
      { date: "2025-01-03", nav: 995_000 },
      { date: "2025-01-06", nav: 1_000_000 },
      ...navs.slice(0, 10).map((n, i) => ({ date: n.date, nav: n.nav * (1 + 0.001 * (i % 3)) })),
    ].filter((p) => p.date < navs[0].date || navs.some((n) => n.date === p.date));
    await putClaimedHistory(w.deps.track, owner, SLUG, claimed);
    const perf = await publicPerformance(w.deps.track, SLUG);

    await t.step("the list shows the record with its figures, signed out", async () => {
      const { status, html } = await page(w, "/app/records");
      assert.equal(status, 200);
      const table = section(html, "records-table", "table");
      assert.match(table, /Acceptance: a dividend ex-date and a suspension/);
      assert.match(table, new RegExp(`\\b${built.days.length}\\b`), "trading days");
      assert.ok(table.includes(pct(perf.metrics.total_return!)), `return ${pct(perf.metrics.total_return!)}`);
      assert.ok(table.includes(perf.metrics.sharpe!.toFixed(2)), "Sharpe");
      assert.ok(table.includes(pct(perf.metrics.max_drawdown!)), "max drawdown");
      assert.ok(table.includes(SLUG), "the author (nickname = slug) or slug");
      assert.match(html, /<label for="rf-universe">/);
      assert.match(html, /<label for="rf-limit">/);
      assert.match(html, new RegExp(`href="/app/records/${SLUG}"`));
    });

    await t.step(
      "filters: another universe hides it; its own shows it; paging past the end is empty",
      async () => {
        const other = await page(w, "/app/records?universe=csi500");
        assert.equal(other.status, 200);
        assert.doesNotMatch(section(other.html, "records-table", "table"), new RegExp(SLUG));
        assert.match(other.html, /<option value="csi500" selected/);
        const own = await page(w, "/app/records?universe=hs300&limit=5");
        assert.match(section(own.html, "records-table", "table"), new RegExp(SLUG));
        const past = await page(w, "/app/records?offset=10");
        assert.equal(past.status, 200);
        assert.doesNotMatch(section(past.html, "records-table", "table"), new RegExp(SLUG));
        assert.match(past.html, /rel="prev"/);
      },
    );

    await t.step("the record page: metrics, conventions, charts' data, claimed and tracking", async () => {
      const { status, html } = await page(w, `/app/records/${SLUG}`);
      assert.equal(status, 200);
      const perfText = section(html, "performance");
      assert.ok(perfText.includes(pct(perf.metrics.total_return!)));
      assert.ok(perfText.includes(perf.metrics.excess_sharpe!.toFixed(2)));
      assert.match(perfText, /252 trading days a year; standard deviation with ddof 1; risk-free rate 0/);
      for (const id of ["nav-chart", "drawdown-chart", "rolling-chart"]) {
        assert.match(html, new RegExp(`<div class="chart" id="${id}" role="img" aria-label="[^"]+"`));
      }
      const data = pageData(html);
      assert.equal(data.slug, SLUG);
      assert.equal(data.nav.length, navs.length);
      assert.equal(data.nav[0].value, navs[0].nav / 1_000_000);
      assert.equal(data.benchmark_nav.length, navs.length);
      assert.ok(data.drawdown.every((p: { value: number }) => p.value <= 0));
      const deepest = Math.min(...data.drawdown.map((p: { value: number }) => p.value));
      assert.ok(Math.abs(deepest + perf.max_drawdown! * 100) < 1e-9, `${deepest} vs ${perf.max_drawdown}`);
      const rolling = perf.rolling_excess_sharpe.filter((p) => p.value !== null);
      assert.ok(rolling.length > 0, "the record is long enough for rolling windows");
      assert.deepEqual(data.rolling.at(-1), { time: rolling.at(-1)!.date, value: rolling.at(-1)!.value });
      assert.equal(data.claimed.length, claimed.length);
      const claimedText = section(html, "claimed");
      assert.match(claimedText, /Claimed .*2025-01-02/);
      assert.match(claimedText, /Verdict/);
      assert.match(claimedText, /Common dates 10\b/);
      assert.match(html, /src="\/app\/assets\/client\/record_page\.js\?v=/);
      assert.match(html, /src="\/app\/assets\/client\/verify_record\.js\?v=/);
      assert.match(html, new RegExp(`id="verify-panel"[^>]*data-slug="${SLUG}"`));
      assert.match(html, /<button type="button" id="verify-button"/);
    });

    await t.step("audit log and days, selecting a day shows its positions and trades", async () => {
      const { html } = await page(w, `/app/records/${SLUG}`);
      const audit = await publicAudit(w.deps.track, SLUG, 50, 0);
      const auditText = section(html, "audit-log");
      assert.match(auditText, new RegExp(`of ${audit.total}, newest first`));
      assert.match(auditText, /CLAIMED_UPLOADED/);
      assert.match(auditText, /REBALANCE/);
      const days = section(html, "days");
      const last = built.days.at(-1)!;
      assert.match(days, new RegExp(`Show ${last}`));
      assert.match(days, new RegExp(`of ${built.days.length}, newest first`));
      // The day after the ex-date signal holds the dividend stock; its own signal day has trades.
      const signalDay = built.signal_days[1];
      const selected = await page(w, `/app/records/${SLUG}?day=${signalDay}`);
      assert.equal(selected.status, 200);
      const detail = section(selected.html, "day-detail");
      assert.match(detail, new RegExp(`${signalDay} · REBALANCE`));
      assert.match(
        section(selected.html, "day-positions", "table"),
        new RegExp(built.symbol.replace(".", "\\.")),
      );
      assert.match(section(selected.html, "day-trades", "table"), /BUY/);
      const older = await page(w, `/app/records/${SLUG}?days_offset=30&audit_offset=50`);
      assert.equal(older.status, 200);
      assert.match(section(older.html, "days"), /Settled days 31–/);
      assert.match(section(older.html, "audit-log"), /Entries 51–/);
    });

    await t.step("unknown slug, unsettled day → 404 page; odd query → 400 page", async () => {
      for (const path of ["/app/records/no-such-record", `/app/records/${"x".repeat(300)}`]) {
        const r = await page(w, path);
        assert.equal(r.status, 404, path);
        assert.match(r.html, /does not exist/);
      }
      const day = await page(w, `/app/records/${SLUG}?day=2020-01-02`);
      assert.equal(day.status, 404);
      const bad = [
        "/app/records?limit=abc",
        "/app/records?limit=0",
        "/app/records?limit=101",
        "/app/records?offset=-1",
        "/app/records?offset=1e309",
        "/app/records?universe=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/app/records?limit=1&limit=2",
        `/app/records?${"z".repeat(2000)}=1`,
        `/app/records/${SLUG}?day=2025-13-40`,
        `/app/records/${SLUG}?days_offset=9999999999`,
        `/app/records/${SLUG}?audit_offset=${"9".repeat(400)}`,
        `/app/records/${SLUG}?day=${"1".repeat(1500)}`,
      ];
      for (const path of bad) {
        const r = await page(w, path);
        assert.equal(r.status, 400, path);
        assert.match(r.html, /role="alert"/, path);
        assert.doesNotMatch(r.html, /<script>alert/, path);
      }
    });

    await t.step(
      "a public strategy with no settled day yet: a page without figures, not listed",
      async () => {
        const { access_token } = await signInWithOtp(w, "fresh@example.com", "10.0.0.7");
        const created = await w.request("POST", "/api/v1/strategies", {
          token: access_token,
          json: { name: "Fresh and pending", slug: "fresh-pending", universe: "csi500" },
        });
        assert.equal(created.status, 201);
        await created.body?.cancel();
        const r = await page(w, "/app/records/fresh-pending");
        assert.equal(r.status, 200);
        assert.match(r.html, /Fresh and pending/);
        assert.match(section(r.html, "days"), /No settled days yet/);
        assert.match(section(r.html, "performance"), /Total return[^%]*—/);
        assert.deepEqual(pageData(r.html).nav, []);
        const list = await page(w, "/app/records?universe=csi500");
        assert.doesNotMatch(section(list.html, "records-table", "table"), /fresh-pending/);
      },
    );

    await t.step("a demo record: same page, its log named demo", async () => {
      await replayDemoRecords(w, 6, Date.UTC(2026, 6, 24, 12, 0));
      const list = await page(w, "/app/records");
      const table = section(list.html, "records-table", "table");
      assert.match(table, /demo-reversal/);
      assert.match(table, /demo/);
      assert.match(list.html, /href="\/api\/v1\/public\/log\/checkpoint\?log=demo"/);
      const r = await page(w, "/app/records/demo-reversal");
      assert.equal(r.status, 200);
      assert.match(section(r.html, "about"), /demo: replayed under a simulated clock/);
      assert.match(section(r.html, "about"), /quantedge\/demo/);
      const demoClaimed = (await publicTrackRecord(w.deps.track, "demo-reversal")).claimed;
      const claimedText = section(r.html, "claimed");
      if (demoClaimed) {
        assert.match(
          claimedText,
          new RegExp(`Claimed 声称 ${demoClaimed.meta.start_date} ${demoClaimed.meta.end_date}`),
        );
      } else assert.match(claimedText, /has not uploaded a claimed history/);
      assert.equal(
        pageData(r.html).nav.length,
        (await w.deps.track.settlements.navSeries("demo-reversal")).length,
      );
    });

    await t.step(
      "the list's figures are cached per settled day: a repeat reads no NAV, a new day shows",
      async () => {
        const repo = w.deps.track.settlements;
        const navSeries = repo.navSeries.bind(repo);
        const reads: string[] = [];
        repo.navSeries = (slug) => {
          reads.push(slug);
          return navSeries(slug);
        };
        try {
          const first = section((await page(w, "/app/records")).html, "records-table", "table");
          reads.length = 0;
          const again = section((await page(w, "/app/records")).html, "records-table", "table");
          assert.equal(reads.length, 0, `a repeated list computes no performance (read ${reads})`);
          assert.equal(again, first);
          // The record settles its next trading day (the real settlement, the world's clock moved to that evening).
          const before = (await repo.head(SLUG))!;
          const next = sse.tradingDayOffset(before.date, 1);
          w.clock.set(sse.instantAt(next, "18:15"));
          const out = await settleStrategy(w.deps.track, SLUG, next);
          assert.notEqual(out.status, "failed", JSON.stringify(out));
          const after = (await repo.head(SLUG))!;
          assert.equal(after.trading_days, before.trading_days + 1, "a new settled day");
          reads.length = 0;
          const html = (await page(w, "/app/records")).html;
          assert.ok(reads.includes(SLUG), "the row with a new day is computed again");
          assert.ok(!reads.includes("demo-reversal"), "an unchanged row is not");
          const start = html.indexOf(`href="/app/records/${SLUG}"`);
          const row = html.slice(html.lastIndexOf("<tr", start), html.indexOf("</tr>", start)).replace(
            /<[^>]+>/g,
            " ",
          );
          const perfNow = await publicPerformance(w.deps.track, SLUG);
          assert.match(row, new RegExp(`\\b${after.trading_days}\\b`), "the new trading-day count");
          assert.ok(row.includes(perfNow.metrics.sharpe!.toFixed(2)), "the fresh Sharpe");
          assert.ok(row.includes(pct(perfNow.metrics.max_drawdown!)), "the fresh drawdown");
        } finally {
          repo.navSeries = navSeries;
        }
      },
    );

    await t.step("a strategy made private is neither listed nor shown", async () => {
      await w.deps.track.strategies.update(SLUG, (s) => ({ ...s, is_public: false }));
      const list = await page(w, "/app/records");
      assert.doesNotMatch(section(list.html, "records-table", "table"), new RegExp(SLUG));
      const r = await page(w, `/app/records/${SLUG}`);
      assert.equal(r.status, 404);
      assert.doesNotMatch(r.html, /dividend ex-date/);
    });
  } finally {
    await w.close();
  }
});

Deno.test("the list-metrics cache keeps at most its bound, dropping the least recently used row", async () => {
  const computed: string[] = [];
  const metricsOf = listMetricsCache((r) => {
    computed.push(`${r.slug}@${r.latest_date}`);
    return Promise.resolve({ sharpe: r.trading_days, max_drawdown: null });
  }, 2);
  const row = (slug: string, latest_date: string, trading_days: number) =>
    ({
      slug,
      latest_date,
      trading_days,
      is_demo: false,
      created_at: "2025-01-01T00:00:00.000Z",
    }) as PublicStrategyRow;
  await metricsOf(row("a", "2025-03-03", 1));
  await metricsOf(row("b", "2025-03-03", 1));
  await metricsOf(row("a", "2025-03-03", 1)); // a is now the most recent
  await metricsOf(row("c", "2025-03-03", 1)); // drops b
  assert.deepEqual(computed, ["a@2025-03-03", "b@2025-03-03", "c@2025-03-03"]);
  await metricsOf(row("a", "2025-03-03", 1));
  await metricsOf(row("b", "2025-03-03", 1));
  assert.deepEqual(computed.slice(3), ["b@2025-03-03"], "a was kept, b computed again");
  assert.deepEqual(
    await metricsOf(row("a", "2025-03-04", 2)),
    { sharpe: 2, max_drawdown: null },
    "a new day",
  );
});
