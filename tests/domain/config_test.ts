import assert from "node:assert/strict";
import {
  ConfigError,
  DEFAULT_KV_PATH,
  describeRateRule,
  parseConfig,
  parseRateRule,
} from "../../domain/config.ts";

const HOUR = 3_600_000;
const SECRET = "0123456789abcdef0123456789abcdef";

Deno.test("parseConfig() gives working development defaults for an empty environment", () => {
  const c = parseConfig({});
  assert.equal(c.env, "development");
  assert.equal(c.port, 8000);
  assert.equal(c.host, "0.0.0.0");
  assert.equal(c.publicBaseUrl, "http://localhost:8000");
  assert.equal(c.kvPath, DEFAULT_KV_PATH);
  assert.equal(c.jwtSecret, undefined);
  assert.equal(c.accessTokenTtlMs, 24 * HOUR);
  assert.equal(c.otpAccessTokenTtlMs, 24 * HOUR);
  assert.equal(c.refreshTokenTtlMs, 7 * 24 * HOUR);
  assert.equal(c.smtp, undefined);
  assert.deepEqual(c.corsOrigins, ["*"]);
  assert.deepEqual(c.adminEmails, []);
  assert.equal(c.trustProxy, false);
  assert.equal(c.maxBodyBytes, 1_048_576);
  assert.equal(c.github, undefined);
  assert.equal(c.logRequests, true);
  assert.deepEqual(c.rateLimits, {
    otpPerEmail: { limit: 5, windowMs: 15 * 60_000 },
    otpPerIp: { limit: 30, windowMs: HOUR },
    verifyPerIp: { limit: 30, windowMs: 15 * 60_000 },
    login: { limit: 10, windowMs: 15 * 60_000 },
    invitePerIp: { limit: 20, windowMs: HOUR },
    refreshPerIp: { limit: 60, windowMs: 15 * 60_000 },
    emailChangePerUser: { limit: 5, windowMs: HOUR },
    emailChangePerIp: { limit: 20, windowMs: HOUR },
  });
});

Deno.test("parseConfig() leaves the KV path to the platform on Deno Deploy", () => {
  assert.equal(parseConfig({}, { onDeploy: true }).kvPath, undefined);
  assert.equal(parseConfig({ KV_PATH: "/tmp/x.sqlite" }, { onDeploy: true }).kvPath, "/tmp/x.sqlite");
});

Deno.test("parseConfig() with DENO_ENV=production refuses to start without JWT_SECRET and SMTP_HOST", () => {
  assert.throws(() => parseConfig({ DENO_ENV: "production" }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /DENO_ENV=production/);
    assert.match(e.message, /JWT_SECRET/);
    assert.match(e.message, /SMTP_HOST/);
    return true;
  });
  assert.throws(() => parseConfig({ DENO_ENV: "production", SMTP_HOST: "mail.example.com" }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /JWT_SECRET/);
    assert.doesNotMatch(e.message, /SMTP_HOST/);
    return true;
  });
  assert.throws(() => parseConfig({ DENO_ENV: "production", JWT_SECRET: SECRET }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /SMTP_HOST/);
    assert.doesNotMatch(e.message, /JWT_SECRET \(/);
    return true;
  });
});

Deno.test("parseConfig() in production with secret and SMTP settings starts, with no CORS origins by default", () => {
  const c = parseConfig({
    DENO_ENV: "production",
    JWT_SECRET: SECRET,
    SMTP_HOST: "mail.example.com",
    SMTP_PORT: "465",
    SMTP_SECURE: "true",
    SMTP_USER: "qe",
    SMTP_PASSWORD: "pw",
  });
  assert.equal(c.env, "production");
  assert.equal(c.jwtSecret, SECRET);
  assert.deepEqual(c.smtp, { host: "mail.example.com", port: 465, secure: true, user: "qe", password: "pw" });
  assert.deepEqual(c.corsOrigins, []);
});

Deno.test("parseConfig() names every invalid variable in one ConfigError", () => {
  assert.throws(
    () =>
      parseConfig({ JWT_SECRET: "short", PORT: "eighty", RATE_LIMIT_LOGIN: "often", SMTP_SECURE: "maybe" }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      for (const name of ["JWT_SECRET", "PORT", "RATE_LIMIT_LOGIN", "SMTP_SECURE"]) {
        assert.match(e.message, new RegExp(name));
      }
      assert.match(e.message, /at least 32 characters/);
      return true;
    },
  );
});

Deno.test("parseConfig() reads lists, flags, token lifetimes and rate rules", () => {
  const c = parseConfig({
    ADMIN_EMAILS: " Admin@Example.com, ,ops@example.com ",
    CORS_ORIGINS: "https://a.example, https://b.example",
    TRUST_PROXY: "yes",
    LOG_REQUESTS: "0",
    ACCESS_TOKEN_TTL_HOURS: "2",
    OTP_ACCESS_TOKEN_TTL_HOURS: "360",
    REFRESH_TOKEN_TTL_DAYS: "30",
    RATE_LIMIT_OTP_PER_EMAIL: "3/10m",
    PUBLIC_BASE_URL: "https://qe.example.com/",
  });
  assert.deepEqual(c.adminEmails, ["admin@example.com", "ops@example.com"]);
  assert.deepEqual(c.corsOrigins, ["https://a.example", "https://b.example"]);
  assert.equal(c.trustProxy, true);
  assert.equal(c.logRequests, false);
  assert.equal(c.accessTokenTtlMs, 2 * HOUR);
  assert.equal(c.otpAccessTokenTtlMs, 360 * HOUR);
  assert.equal(c.refreshTokenTtlMs, 30 * 24 * HOUR);
  assert.deepEqual(c.rateLimits.otpPerEmail, { limit: 3, windowMs: 10 * 60_000 });
  assert.equal(c.publicBaseUrl, "https://qe.example.com");
});

Deno.test("parseRateRule() reads N/<count><unit>", async (t) => {
  const cases: [string, number, number][] = [
    ["5/15m", 5, 15 * 60_000],
    ["30/1h", 30, HOUR],
    ["10/h", 10, HOUR],
    ["100/30s", 100, 30_000],
    ["1/1d", 1, 86_400_000],
    [" 7 / 2 m ", 7, 120_000],
  ];
  for (const [text, limit, windowMs] of cases) {
    await t.step(JSON.stringify(text), () => assert.deepEqual(parseRateRule(text), { limit, windowMs }));
  }
});

Deno.test("parseRateRule() refuses malformed or non-positive rules", async (t) => {
  for (
    const text of [
      "",
      "5",
      "5/",
      "/15m",
      "5/15",
      "5/15x",
      "0/15m",
      "5/0m",
      "-1/15m",
      "5.5/15m",
      "five/15m",
      "5/15m/2",
    ]
  ) {
    await t.step(JSON.stringify(text), () => assert.throws(() => parseRateRule(text), Error));
  }
});

Deno.test("describeRateRule() words a rule with the largest whole unit", () => {
  assert.equal(describeRateRule({ limit: 5, windowMs: 15 * 60_000 }), "5 per 15 minutes");
  assert.equal(describeRateRule({ limit: 30, windowMs: HOUR }), "30 per 1 hour");
  assert.equal(describeRateRule({ limit: 2, windowMs: 2 * 86_400_000 }), "2 per 2 days");
  assert.equal(describeRateRule({ limit: 9, windowMs: 1_500 }), "9 per 1500 ms");
});

Deno.test("parseConfig() reads REFRESH_GRACE_SECONDS (default 30, 0 allowed) and refuses negative values", () => {
  assert.equal(parseConfig({}).refreshGraceMs, 30_000);
  assert.equal(parseConfig({ REFRESH_GRACE_SECONDS: "0" }).refreshGraceMs, 0);
  assert.equal(parseConfig({ REFRESH_GRACE_SECONDS: "2.5" }).refreshGraceMs, 2_500);
  assert.throws(() => parseConfig({ REFRESH_GRACE_SECONDS: "-1" }), ConfigError);
  assert.throws(() => parseConfig({ REFRESH_GRACE_SECONDS: "301" }), ConfigError);
});
