import assert from "node:assert/strict";
import { createSmtpMailer } from "../../domain/mail/smtp_mailer.ts";
import { startSmtpServer } from "../_helpers/smtp_server.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

/** `/health` and `/api/v1/health` bodies of a world on `env`, mail through a real SMTP server on 127.0.0.1. */
async function healthBodies(env: Record<string, string>, smtpPort: number): Promise<string[]> {
  const mailer = createSmtpMailer({
    host: "127.0.0.1",
    port: smtpPort,
    secure: false,
    from: "qe@example.com",
  });
  const w = await openTestWorld(
    { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtpPort), KV_PATH: ":memory:", ...env },
    { mailer },
  );
  try {
    const out: string[] = [];
    for (const path of ["/health", "/api/v1/health"]) {
      const res = await w.request("GET", path);
      assert.equal(res.status, 200);
      out.push(await res.text());
    }
    return out;
  } finally {
    await w.close();
  }
}

/** Runs `fn` with a real SMTP server listening on 127.0.0.1, then stops it. */
async function withSmtp(fn: (port: number) => Promise<void>) {
  const smtp = await startSmtpServer();
  try {
    await fn(smtp.port);
  } finally {
    await smtp.close();
  }
}

Deno.test("development /health shows where mail goes", () =>
  withSmtp(async (port) => {
    const dev = await healthBodies({ DENO_ENV: "development" }, port);
    for (const body of dev) {
      assert.match(body, new RegExp(`127\\.0\\.0\\.1:${port}`), "development shows where mail goes");
    }
  }));

Deno.test("production /health names no host, port, URL or path, only each check's ok and detail", () =>
  withSmtp(async (port) => {
    const prod = await healthBodies(
      { DENO_ENV: "production", PUBLIC_BASE_URL: "https://quantedge.example.com" },
      port,
    );
    for (const body of prod) {
      assert.doesNotMatch(body, /127\.0\.0\.1|localhost|:memory:|sqlite|https?:\/\//i);
      assert.ok(!body.includes(String(port)), `the SMTP port shows: ${body}`);
      const report = JSON.parse(body);
      assert.ok(["ok", "healthy"].includes(report.status), report.status);
      assert.ok(Object.keys(report.checks).length >= 3);
      for (const [name, check] of Object.entries(report.checks as Record<string, Record<string, unknown>>)) {
        assert.deepEqual(Object.keys(check).sort(), ["detail", "ok"], name);
        assert.equal(check.detail, check.ok ? "ok" : "failing", name);
      }
    }
    // What production shows beside the checks: status, version, and /health's database and cache figures.
    assert.deepEqual(Object.keys(JSON.parse(prod[0])).sort(), [
      "cache",
      "checks",
      "database",
      "status",
      "version",
    ]);
    assert.equal(JSON.parse(prod[0]).status, "healthy");
    assert.deepEqual(Object.keys(JSON.parse(prod[1])).sort(), ["checks", "status", "version"]);
    assert.equal(JSON.parse(prod[1]).status, "ok");
  }));
