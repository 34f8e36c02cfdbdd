import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createApp } from "../../routes/app.ts";
import { buildServices } from "../../app/services.ts";
import { resolveJwtSecret } from "../../app/auth_services.ts";
import { captureMailer, lastOtp, T0 } from "../_helpers/test_app.ts";

const queue = { listening: () => true, enqueueHeartbeat: () => Promise.resolve() };

/** Builds the app on the KV file at `path`, as `main.ts` would after a restart. */
async function boot(path: string, mailer = captureMailer()) {
  const config = parseConfig({ DENO_ENV: "development", KV_PATH: path, LOG_REQUESTS: "false" });
  const kv = await Deno.openKv(path);
  const deps = await buildServices({ config, kv, clock: fixedClock(T0), mailer, log: () => {}, queue });
  return { app: createApp(deps), kv, mailer };
}

Deno.test("buildServices() in development generates the JWT secret once and keeps it in KV across restarts", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/quantedge.sqlite`;
  try {
    const first = await boot(path);
    const email = "restart@example.com";
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal((await first.app.request("/api/v1/auth/request-otp", json({ email }))).status, 200);
    const verified = await first.app.request(
      "/api/v1/auth/verify-otp",
      json({ email, otp_code: lastOtp(first.mailer.sent, email) }),
    );
    assert.equal(verified.status, 200);
    const { access_token } = await verified.json();
    const secret = (await first.kv.get<string>(["settings", "jwt_secret"])).value;
    assert.ok(secret && secret.length >= 32);
    first.kv.close();

    const second = await boot(path);
    try {
      assert.equal((await second.kv.get<string>(["settings", "jwt_secret"])).value, secret, "same secret");
      const me = await second.app.request("/api/v1/auth/me", {
        headers: { authorization: `Bearer ${access_token}` },
      });
      assert.equal(me.status, 200);
      assert.equal((await me.json()).email, email);
    } finally {
      second.kv.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resolveJwtSecret() prefers the configured secret and never stores it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const secret = "configured-secret-configured-secret-0123";
    assert.equal(await resolveJwtSecret(parseConfig({ JWT_SECRET: secret }), kv), secret);
    assert.equal((await kv.get(["settings", "jwt_secret"])).value, null);
  } finally {
    kv.close();
  }
});

Deno.test("resolveJwtSecret() returns the same generated secret to every caller", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const config = parseConfig({});
    const secrets = await Promise.all(Array.from({ length: 5 }, () => resolveJwtSecret(config, kv)));
    assert.equal(new Set(secrets).size, 1);
  } finally {
    kv.close();
  }
});

Deno.test("the house shows a public strategy's author by one nickname look-up, and builds the run bundles the routes take", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const config = parseConfig({ DENO_ENV: "development", LOG_REQUESTS: "false" });
    const s = await buildServices({
      config,
      kv,
      clock: fixedClock(T0),
      mailer: captureMailer(),
      log: () => {},
      queue,
    });
    await s.auth.users.create({
      id: "usr_nick",
      email: "nick@example.com",
      nickname: "alpha_lab",
      password_hash: null,
      tier: "free",
      disabled: false,
      email_verified: true,
      github_id: null,
      github_login: null,
      created_at: T0,
      updated_at: T0,
      last_login_at: null,
    });
    assert.equal(s.catalog.nicknameOf, s.leaderboard.nicknameOf);
    assert.equal(s.catalog.nicknameOf, s.track.nicknameOf);
    assert.equal(s.catalog.library, s.library, "the catalog reads the library the routes write");
    assert.equal(await s.catalog.nicknameOf("usr_nick"), "alpha_lab");
    assert.equal(await s.catalog.nicknameOf("usr_missing"), null);
    // The HTTP front end's run bundles are the house's: one synchronous-run bundle behind runs and compares,
    // the job table behind submissions, and the same user rate for all synchronous runs.
    assert.equal(s.compare.runs, s.sync);
    assert.equal(s.catalogCompare.runs, s.sync);
    assert.equal(s.catalogCompare.nicknameOf, s.catalog.nicknameOf);
    assert.equal(s.jobSubmission.jobs, s.backtests);
    assert.deepEqual(s.sync.rate?.rule, config.backtestRate);
    assert.equal(s.leaderboard.rate, s.sync.rate);
  } finally {
    kv.close();
  }
});
