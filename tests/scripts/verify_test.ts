/**
 * `deno task verify` as a process: exit code 0 on a verified record (with `--json` the verdict object), 1 when a
 * proxy alters a published number, 3 when the proxy answers 502 or nothing listens, 2 on bad arguments; the text
 * output names each failure with its kind.
 */
import assert from "node:assert/strict";
import { openServedDemo, startProxy } from "../verifier/served_demo.ts";

async function cli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "scripts/verify.ts", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("deno task verify exits 0 verified, 1 tampered, 3 unreachable, 2 on bad arguments", async () => {
  const demo = await openServedDemo(8, Date.UTC(2026, 10, 20, 12, 0));
  const proxy = startProxy(demo.base);
  try {
    const slug = "demo-momentum";
    const ok = await cli([proxy.url, slug, "--json", "--through", demo.report.last_day, "--days", "8"]);
    assert.equal(ok.code, 0, ok.stdout.slice(0, 2000));
    const verdict = JSON.parse(ok.stdout);
    assert.equal(verdict.verdict, "verified");
    assert.equal(verdict.days.length, 8);
    assert.ok(verdict.checks.total > 100 && verdict.checks.failed === 0);

    const text = await cli([proxy.url, slug]);
    assert.equal(text.code, 0);
    assert.match(
      text.stdout,
      /\nVERIFIED: demo-momentum, 8 settled days, 0 failing; \d+ checks \(0 failed\)/,
    );

    proxy.set((path, b) => {
      if (!path.includes("/verify?date=") || b.trades.length === 0) return false;
      b.trades[0].fill_price += 0.01;
      return true;
    });
    const tampered = await cli([proxy.url, slug]);
    assert.equal(tampered.code, 1, tampered.stdout.slice(-2000));
    assert.match(
      tampered.stdout,
      /✗ \[trade\.fill_price\] \d{4}-\d{2}-\d{2} BUY \S+: published \S+ ≠ replayed \S+/,
    );
    assert.match(tampered.stdout, /\nNOT VERIFIED: demo-momentum/);
    const incomplete = await cli([proxy.url, slug, "--json", "--through", "2026-12-31"]);
    assert.equal(incomplete.code, 1);

    proxy.set(null);
    proxy.down(true);
    const down = await cli([proxy.url, slug, "--json"]);
    assert.equal(down.code, 3, down.stdout.slice(0, 500));
    assert.equal(JSON.parse(down.stdout).verdict, "unreachable");
    proxy.down(false);

    for (
      const bad of [
        [proxy.url],
        ["not-a-url", slug],
        [proxy.url, slug, "--days", "3"],
        [proxy.url, slug, "--through", "July"],
        [proxy.url, slug, "--witness", "not-a-key"],
        [proxy.url, slug, "--witnesses-required", "1"],
        [proxy.url, slug, "--log-key", btoa("short")],
        [proxy.url, slug, "--colour"],
        [proxy.url, slug, "--legacy-until", "2026-13-45x"],
        [proxy.url, slug, "--timeout-seconds", "0"],
        [proxy.url, slug, "--timeout-seconds", "ten"],
        [proxy.url, slug, "--witness", btoa("k".repeat(32)), "--witnesses-required", "2"],
        // The same key padded and unpadded is one witness.
        [
          proxy.url,
          slug,
          "--witness",
          btoa("k".repeat(32)),
          "--witness",
          btoa("k".repeat(32)).replace(/=+$/, ""),
          "--witnesses-required",
          "2",
        ],
      ]
    ) {
      const r = await cli(bad);
      assert.equal(r.code, 2, bad.join(" "));
      assert.match(r.stderr, /^usage: deno task verify/);
    }
  } finally {
    await proxy.close();
    await demo.close();
  }
});
