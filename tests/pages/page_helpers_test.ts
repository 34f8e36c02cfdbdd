/**
 * The helpers every page area shares: number and time formats (routes/pages/format.ts), strict offsets and the
 * pager that keeps the page's other query parameters (routes/pages/paging.tsx), and the one 400 page
 * (routes/pages/problem_pages.tsx) that every area answers for a query it cannot read.
 */
import assert from "node:assert/strict";
import { fmtFraction, fmtNumber, fmtPct, fmtTime, numClass, signClass } from "../../routes/pages/format.ts";
import { Pager } from "../../routes/pages/paging.tsx";
import { getPage, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("the page formats match web/client/dom.js: separators, percent vs fraction, one sign rule, UTC times", () => {
  assert.equal(fmtNumber(1234567.891), "1,234,567.89");
  assert.equal(fmtNumber(0.12345, 4), "0.1235");
  assert.equal(fmtNumber(-2, 0), "-2");
  for (const v of [null, undefined, NaN, Infinity]) {
    assert.equal(fmtNumber(v), "—");
    assert.equal(fmtPct(v), "—");
    assert.equal(fmtFraction(v), "—");
    assert.equal(signClass(v), "");
  }
  assert.equal(fmtPct(12.345), "12.35%");
  assert.equal(fmtFraction(0.1234), "12.34%");
  assert.equal(fmtFraction(12.5, 0), "1,250%");
  assert.equal(signClass(0.01), "pos");
  assert.equal(signClass(-0.01), "neg");
  assert.equal(signClass(0), "");
  assert.equal(numClass(3), "num pos");
  assert.equal(numClass(0), "num");
  assert.equal(fmtTime("2026-03-04T05:06:07.890Z"), "2026-03-04 05:06 UTC");
  assert.equal(fmtTime(null), "—");
  assert.equal(fmtTime("soon"), "soon");
});

async function pagerHtml(props: Parameters<typeof Pager>[0]): Promise<string> {
  const node = Pager(props);
  return node === null ? "" : await node.toString();
}

Deno.test("the pager rewrites only its own parameter and keeps the others", async () => {
  const url = "http://localhost/app/account?keys_offset=50&status=active&tickets_offset=20";
  const middle = await pagerHtml({
    url,
    param: "keys_offset",
    offset: 50,
    limit: 50,
    total: 160,
    label: "Keys",
  });
  assert.match(middle, /aria-label="Keys"/);
  assert.match(middle, /51–100 of 160/);
  assert.match(middle, /rel="prev" href="\/app\/account\?status=active&amp;tickets_offset=20">Previous/);
  assert.match(
    middle,
    /rel="next" href="\/app\/account\?keys_offset=100&amp;status=active&amp;tickets_offset=20">Next/,
  );
  const last = await pagerHtml({
    url: "/app/records/x?day=2026-01-05",
    param: "days_offset",
    offset: 30,
    limit: 30,
    total: 45,
    label: "Days",
    fragment: "days",
  });
  assert.match(last, /31–45 of 45/);
  assert.match(last, /href="\/app\/records\/x\?day=2026-01-05#days">Previous/);
  assert.doesNotMatch(last, />Next</);
  assert.equal(await pagerHtml({ url, offset: 0, limit: 50, total: 50, label: "One page" }), "");
  const quiet = await pagerHtml({
    url: "/app/backtests?status=failed",
    offset: 0,
    limit: 50,
    total: 51,
    label: "B",
    count: false,
  });
  assert.doesNotMatch(quiet, / of 51/);
  assert.match(quiet, /href="\/app\/backtests\?status=failed&amp;offset=50">Next/);
});

Deno.test("offsets are whole decimal numbers on every area's pages: hex, exponents, signs and fractions are a 400", async () => {
  const world = await openTestWorld();
  try {
    const cookie = await signInPage(world, "pager@example.com");
    const paths = [
      "/app/library?offset=",
      "/app/catalog?offset=",
      "/app/records?offset=",
      "/app/tracked?offset=",
      "/app/factors?offset=",
      "/app/backtests?offset=",
      "/app/account?keys_offset=",
      "/app/records?limit=",
    ];
    for (const path of paths) {
      for (const bad of ["0x10", "1e3", "-1", "1.5", "%2010", "99999999999"]) {
        const res = await getPage(world, `${path}${bad}`, cookie);
        const body = await res.text();
        assert.equal(res.status, 400, `${path}${bad}`);
        assert.match(body, /<title>Bad request/, `${path}${bad}`);
        assert.match(body, /<p class="error" role="alert">/, `${path}${bad}`);
        assert.match(body, /Open the page without the query/, `${path}${bad}`);
      }
      const ok = await getPage(world, `${path}${path.includes("limit") ? "10" : "0"}`, cookie);
      assert.equal(ok.status, 200, path);
      await ok.body?.cancel();
    }
  } finally {
    await world.close();
  }
});
