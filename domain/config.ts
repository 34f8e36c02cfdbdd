import { z } from "zod";

/** A limiter setting: at most `limit` events per `windowMs`, written in env as `N/<n><s|m|h|d>` (e.g. `5/15m`). */
export interface RateRule {
  limit: number;
  windowMs: number;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `"5/15m"` into `{limit: 5, windowMs: 900000}`; throws on anything else. */
export function parseRateRule(text: string): RateRule {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*([smhd])\s*$/.exec(text);
  if (!match) throw new Error(`expected "N/<count><s|m|h|d>" such as "5/15m", got "${text}"`);
  const limit = Number(match[1]);
  const count = match[2] === "" ? 1 : Number(match[2]);
  if (limit < 1 || count < 1) throw new Error(`limit and window must be positive in "${text}"`);
  return { limit, windowMs: count * UNIT_MS[match[3] as keyof typeof UNIT_MS] };
}

const rateRule = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx) => {
    try {
      return parseRateRule(text);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });

const list = (fallback: string) =>
  z.string().default(fallback).transform((s) =>
    s.split(",").map((v) => v.trim()).filter((v) => v.length > 0)
  );

const bool = (fallback: boolean) =>
  z.enum(["true", "false", "1", "0", "yes", "no"]).optional().transform((v) =>
    v === undefined ? fallback : ["true", "1", "yes"].includes(v)
  );

const optionalText = z.string().trim().optional().transform((v) => (v ? v : undefined));

/** Most witnesses `WITNESS_URLS` may name. */
const MAX_WITNESSES = 8;

/**
 * `WITNESS_URLS`: comma-separated http(s) base URLs without credentials, query or fragment, at most
 * `MAX_WITNESSES`, no duplicates (compared without a trailing slash, which is dropped).
 */
const witnessUrls = z.string().default("").transform((text, ctx) => {
  const out: string[] = [];
  for (const item of text.split(",").map((v) => v.trim()).filter((v) => v.length > 0)) {
    let url: URL;
    try {
      url = new URL(item);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${item.slice(0, 100)}" is not a URL` });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `"${item.slice(0, 100)}" is not an http(s) URL` });
      return z.NEVER;
    }
    if (url.username || url.password || url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: "a witness URL carries no credentials, query or fragment" });
      return z.NEVER;
    }
    const base = url.href.replace(/\/+$/, "");
    if (out.includes(base)) {
      ctx.addIssue({ code: "custom", message: `"${base}" is listed twice` });
      return z.NEVER;
    }
    out.push(base);
  }
  if (out.length > MAX_WITNESSES) {
    ctx.addIssue({ code: "custom", message: `at most ${MAX_WITNESSES} witnesses (${out.length} given)` });
    return z.NEVER;
  }
  return out;
});

/**
 * Default budget of the expression evaluation of one synchronous run, in cost units (about a quarter of a second
 * of evaluation on the reference machine; see `domain/strategy/cost.ts`).
 */
export const DEFAULT_MAX_EXPRESSION_COST = 250_000_000;

/** Default budget of one queued backtest's expression evaluation (ten times the synchronous one). */
export const DEFAULT_MAX_JOB_EXPRESSION_COST = 2_500_000_000;

/** An optional absolute http(s) URL setting. */
const httpUrl = optionalText.refine(
  (v) => v === undefined || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)),
  { message: "Expected an absolute http:// or https:// URL" },
);

/** Whether `text` is base64 of DER bytes naming the Ed25519 algorithm (OID 1.3.101.112) like a PKCS#8 key. */
function isEd25519Pkcs8Base64(text: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return false;
  const bytes = Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
  const oid = [0x06, 0x03, 0x2b, 0x65, 0x70];
  return bytes[0] === 0x30 && bytes.length >= 48 &&
    bytes.some((_, i) => oid.every((b, j) => bytes[i + j] === b));
}

const EnvSchema = z.object({
  DENO_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default("0.0.0.0"),
  PUBLIC_BASE_URL: z.string().url().optional(),
  KV_PATH: optionalText,
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  ACCESS_TOKEN_TTL_HOURS: z.coerce.number().positive().default(24),
  OTP_ACCESS_TOKEN_TTL_HOURS: z.coerce.number().positive().optional(),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().positive().default(7),
  REFRESH_GRACE_SECONDS: z.coerce.number().min(0).max(300).default(30),
  SMTP_HOST: optionalText,
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: bool(false),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  SMTP_FROM: z.string().default("Quantedge <no-reply@quantedge.local>"),
  CORS_ORIGINS: optionalText,
  ADMIN_EMAILS: list(""),
  TRUST_PROXY: bool(false),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  MAX_URL_BYTES: z.coerce.number().int().min(256).default(8192),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  IMPORT_TIMEOUT_MS: z.coerce.number().int().min(100).default(300_000),
  WS_IDLE_TIMEOUT_S: z.coerce.number().int().min(1).max(3600).default(30),
  WS_MAX_LIFETIME_S: z.coerce.number().int().min(1).default(3600),
  WS_MAX_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_LIMIT_OTP_PER_EMAIL: rateRule("5/15m"),
  RATE_LIMIT_OTP_PER_IP: rateRule("30/1h"),
  RATE_LIMIT_VERIFY_PER_IP: rateRule("30/15m"),
  RATE_LIMIT_LOGIN: rateRule("10/15m"),
  RATE_LIMIT_INVITE_PER_IP: rateRule("20/1h"),
  RATE_LIMIT_REFRESH_PER_IP: rateRule("60/15m"),
  RATE_LIMIT_EMAIL_CHANGE: rateRule("5/1h"),
  RATE_LIMIT_EMAIL_CHANGE_PER_IP: rateRule("20/1h"),
  GITHUB_CLIENT_ID: optionalText,
  GITHUB_CLIENT_SECRET: optionalText,
  GITHUB_OAUTH_BASE_URL: z.url().default("https://github.com"),
  GITHUB_API_BASE_URL: z.url().default("https://api.github.com"),
  LOG_REQUESTS: bool(true),
  RUN_WORKER: bool(true),
  MARKET_SEED: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(42),
  MARKET_CACHE_MB: z.coerce.number().min(0).max(16_384).default(64),
  PUBLIC_CACHE_MB: z.coerce.number().min(0).max(16_384).default(64),
  DENO_DEPLOYMENT_ID: optionalText,
  YAHOO_ENABLED: bool(false),
  YAHOO_SYMBOLS: list("600519.SH,000300.SH,RELIANCE.NS,BBCA.JK,^JKSE,AAPL,BTC-USD"),
  YAHOO_BASE_URL: z.string().url().optional(),
  JOB_QUEUE: z.enum(["queue", "poll"]).optional(),
  BACKTEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  SYNC_BACKTEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  MAX_JOB_SYMBOL_BARS: z.coerce.number().int().positive().default(20_000_000),
  MAX_SYNC_SYMBOL_BARS: z.coerce.number().int().positive().default(2_000_000),
  MAX_EXPRESSION_COST: z.coerce.number().int().positive().default(DEFAULT_MAX_EXPRESSION_COST),
  MAX_JOB_EXPRESSION_COST: z.coerce.number().int().positive().default(DEFAULT_MAX_JOB_EXPRESSION_COST),
  RATE_LIMIT_CATALOG_COMPARE: rateRule("20/1h"),
  BACKTEST_JOB_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  BACKTEST_JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  RATE_LIMIT_BACKTEST: rateRule("10/1m"),
  MAX_IMPORT_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  RATE_LIMIT_IMPORT: rateRule("30/1h"),
  RATE_LIMIT_SIGNAL: rateRule("60/1m"),
  FACTOR_UPLOAD_MAX_BYTES: z.coerce.number().int().positive().default(32 * 1024 * 1024),
  RATE_LIMIT_FACTOR_COMPUTE: rateRule("60/1h"),
  GITHUB_TOKEN: optionalText,
  ATTEST_REPO: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "Expected owner/name").optional(),
  ATTEST_BRANCH: optionalText,
  TLOG_ORIGIN: z.string().min(1).max(200).default("quantedge/signals"),
  TLOG_DEMO_ORIGIN: z.string().min(1).max(200).default("quantedge/demo"),
  WITNESS_URLS: witnessUrls,
  WITNESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  GEMINI_API_KEY: optionalText,
  GEMINI_MODEL: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._\/-]+$/, "Not a model name")
    .default("gemini-2.5-flash"),
  GEMINI_BASE_URL: z.url().optional(),
  ASSISTANT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
  RATE_LIMIT_ASSISTANT: rateRule("120/1h"),
  RATE_LIMIT_MCP: rateRule("600/1m"),
  RATE_LIMIT_MCP_ANON_PER_IP: rateRule("120/1m"),
  LICENSE_SIGNING_KEY: optionalText.refine((v) => v === undefined || isEd25519Pkcs8Base64(v), {
    message: "Expected the base64 of an Ed25519 private key in PKCS#8 DER form",
  }),
  QUANTOS_IMAGE_URL_AMD64: httpUrl,
  QUANTOS_IMAGE_URL_ARM64: httpUrl,
});

/** The identity rate limits, one rule per limiter bucket. */
export interface RateLimitSettings {
  otpPerEmail: RateRule;
  otpPerIp: RateRule;
  verifyPerIp: RateRule;
  login: RateRule;
  invitePerIp: RateRule;
  refreshPerIp: RateRule;
  /** Email changes (each mails a confirmation code) per user. */
  emailChangePerUser: RateRule;
  /** Email changes per client IP. */
  emailChangePerIp: RateRule;
}

/** Everything configurable, parsed once from the environment and passed down. */
export interface Config {
  env: "development" | "production" | "test";
  port: number;
  host: string;
  /** Base URL the service is reached at (OAuth redirects, links in mail). */
  publicBaseUrl: string;
  /** SQLite file for Deno KV; `undefined` means the platform default (Deno Deploy). */
  kvPath: string | undefined;
  /** HS256 secret; `undefined` in development means "generate once and keep in KV". */
  jwtSecret: string | undefined;
  accessTokenTtlMs: number;
  /** Lifetime of access tokens issued by the email-OTP flow (defaults to `accessTokenTtlMs`). */
  otpAccessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /**
   * How long a just-rotated refresh token is still accepted (answering the same new pair) so concurrent
   * refreshes and retries after a lost response keep the session; 0 turns the grace off.
   */
  refreshGraceMs: number;
  /** SMTP transport; `undefined` means mail is printed to the log (development only). */
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string } | undefined;
  mailFrom: string;
  /** Allowed CORS origins; `["*"]` allows any. */
  corsOrigins: string[];
  /** Lower-cased emails of administrators. */
  adminEmails: string[];
  /** Take the client IP from `X-Forwarded-For` (only behind a proxy you control). */
  trustProxy: boolean;
  maxBodyBytes: number;
  /** Longest request target (path and query, in bytes); longer ones get 414. */
  maxUrlBytes: number;
  /** Deadline of one HTTP request (reading the body and building the answer); past it the answer is 503. */
  requestTimeoutMs: number;
  /** Deadline of `POST /data/import`, which reads a body of up to `maxImportBytes`. */
  importTimeoutMs: number;
  /** WebSockets: ping interval and pong wait (dead peers are closed), longest life, open sockets per client IP. */
  ws: { idleTimeoutS: number; maxLifetimeMs: number; maxPerIp: number };
  rateLimits: RateLimitSettings;
  /**
   * GitHub sign-in; `undefined` when not configured. The base URLs default to github.com and point elsewhere
   * for GitHub Enterprise or a test server.
   */
  github: { clientId: string; clientSecret: string; oauthBaseUrl: string; apiBaseUrl: string } | undefined;
  logRequests: boolean;
  /** Seed of the synthetic market (same seed, same history). */
  marketSeed: number;
  /** In-process bar cache budget in bytes. */
  marketCacheBytes: number;
  /** Live quotes from Yahoo: off by default; the symbols refreshed after each market's close. */
  yahoo: { enabled: boolean; symbols: string[]; baseUrl: string | undefined };
  /** Largest backtest (symbols × bars) `POST /backtests/run` runs synchronously. */
  maxSyncSymbolBars: number;
  /**
   * Largest estimated expression-evaluation cost (units, see `domain/strategy/cost.ts`) of one run on every
   * route that evaluates expressions while the caller waits (backtests/run, backtest, plot, indicators, library
   * and catalog compare, leaderboard).
   */
  maxExpressionCost: number;
  /** The same budget for a queued backtest, checked at submission. */
  maxJobExpressionCost: number;
  /** `GET /catalog/strategies/{name}/compare` requests per client IP. */
  catalogCompareRate: RateRule;
  /** How background jobs reach workers: `queue` (kv.enqueue/listenQueue) or `poll` (KV job table + cron). */
  jobQueue: "queue" | "poll";
  /**
   * Whether `main.ts` also runs the worker (queue listener, crons, poller) beside HTTP. `false` when a separate
   * `worker.ts` process does that work.
   */
  runWorker: boolean;
  /** Backtest jobs running at once in one process. */
  backtestConcurrency: number;
  /** Synchronous backtests (`/backtests/run`, `/backtest`, `/plot`, compares, leaderboard) running at once. */
  syncBacktestConcurrency: number;
  /** Largest queued backtest (symbols × bars). */
  maxJobSymbolBars: number;
  /** Wall-clock budget of one attempt at a queued backtest (data loading included); past it the job fails. */
  backtestJobMaxMs: number;
  /** Attempts (claims by a worker) a queued backtest gets; one that has had them all without finishing fails. */
  backtestJobMaxAttempts: number;
  /** Backtest runs per user. */
  backtestRate: RateRule;
  /** Body limit of `POST /data/import` (50 MiB default). */
  maxImportBytes: number;
  /** `POST /data/import` requests per user (each may hold one symbol or many). */
  importRate: RateRule;
  /** Signal submissions per user. */
  signalRate: RateRule;
  /** Body limit of `POST /factors/{id}/values` (32 MiB default: 500 dates × 1,000 symbols is ~16 MB of JSON). */
  factorUploadMaxBytes: number;
  /** Factor validations and formula computations per user. */
  factorComputeRate: RateRule;
  /**
   * MCP tool calls (`/mcp` and `deno task mcp`): per signed-in user, and per client address for callers without
   * a credential. Charged before each call, on top of the rates the called operation charges itself.
   */
  mcpRate: { user: RateRule; anonymousPerIp: RateRule };
  /** Bytes the in-process cache of public answers may hold (`PUBLIC_CACHE_MB`; 0 keeps nothing). */
  publicCacheMaxBytes: number;
  /** GitHub attestation of signals; `undefined` unless both GITHUB_TOKEN and ATTEST_REPO are set. */
  attest: { token: string; repo: string; branch?: string; apiBaseUrl: string } | undefined;
  /** The origin line of the transparency log's signed checkpoints. */
  tlogOrigin: string;
  /** The demo log's origin (`TLOG_DEMO_ORIGIN`); never the production log's. */
  tlogDemoOrigin: string;
  /** Witnesses asked to cosign each log head (`WITNESS_URLS`, base URLs) and the bound of one request. */
  witnesses: { urls: string[]; timeoutMs: number };
  /**
   * The strategy assistant: Gemini when `GEMINI_API_KEY` is set (`gemini` undefined: the offline parser only),
   * the deadline of one model call, and the turns (generate, chat, explain) each user may take.
   */
  assistant: {
    gemini: { apiKey: string; model: string; baseUrl: string | undefined } | undefined;
    timeoutMs: number;
    rate: RateRule;
  };
  /**
   * QuantOS licences: the Ed25519 signing key (base64 PKCS#8; `undefined`: generated once and kept in KV) and the
   * self-hosted image download URL per architecture (`undefined`: that download answers 404).
   */
  licenses: {
    signingKey: string | undefined;
    imageUrls: { amd64: string | undefined; arm64: string | undefined };
  };
  version: string;
  /**
   * What identifies this build in public ETags: the version, and on Deno Deploy the deployment id, so a new
   * deployment (possibly a new answer shape) never answers 304 to a copy made by the previous one. Off Deploy,
   * `openHouse` adds a fingerprint of the answer-shaping source (`app/source_fingerprint.ts`).
   */
  buildId: string;
}

/** Raised when the environment cannot start the service; its message says what to set. */
export class ConfigError extends Error {}

/** The product version reported by `/health` and OpenAPI. */
const VERSION = "0.1.0";

/** The local KV file used when `KV_PATH` is unset outside Deno Deploy. */
export const DEFAULT_KV_PATH = "data/quantedge.sqlite";

/**
 * Parses the environment into a `Config`; throws `ConfigError` listing every bad or missing variable.
 * In production a missing `JWT_SECRET` or `SMTP_HOST` stops start-up. `onDeploy` selects the platform KV.
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  opts: { onDeploy?: boolean } = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const production = e.DENO_ENV === "production";
  if (production) {
    const missing: string[] = [];
    if (!e.JWT_SECRET) missing.push("JWT_SECRET (at least 32 random characters)");
    if (!e.SMTP_HOST) missing.push("SMTP_HOST (and SMTP_USER/SMTP_PASSWORD if your server needs them)");
    if (missing.length > 0) {
      throw new ConfigError(
        `DENO_ENV=production needs these settings, which are missing:\n${
          missing.map((m) => `  ${m}`).join("\n")
        }`,
      );
    }
  }
  if ((e.GITHUB_CLIENT_ID === undefined) !== (e.GITHUB_CLIENT_SECRET === undefined)) {
    throw new ConfigError(
      "Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET to enable GitHub sign-in, or neither",
    );
  }
  if (
    e.TLOG_DEMO_ORIGIN === e.TLOG_ORIGIN || e.TLOG_ORIGIN.includes("\n") || e.TLOG_DEMO_ORIGIN.includes("\n")
  ) {
    throw new ConfigError(
      "TLOG_ORIGIN and TLOG_DEMO_ORIGIN must be two different one-line names: the demo never writes the production log",
    );
  }
  const accessTokenTtlMs = e.ACCESS_TOKEN_TTL_HOURS * 3_600_000;
  return {
    env: e.DENO_ENV,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    kvPath: e.KV_PATH ?? (opts.onDeploy ? undefined : DEFAULT_KV_PATH),
    jwtSecret: e.JWT_SECRET,
    accessTokenTtlMs,
    otpAccessTokenTtlMs: e.OTP_ACCESS_TOKEN_TTL_HOURS !== undefined
      ? e.OTP_ACCESS_TOKEN_TTL_HOURS * 3_600_000
      : accessTokenTtlMs,
    refreshTokenTtlMs: e.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
    refreshGraceMs: Math.round(e.REFRESH_GRACE_SECONDS * 1000),
    smtp: e.SMTP_HOST
      ? {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        secure: e.SMTP_SECURE,
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
      }
      : undefined,
    mailFrom: e.SMTP_FROM,
    corsOrigins: e.CORS_ORIGINS !== undefined
      ? e.CORS_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean)
      : (production ? [] : ["*"]),
    adminEmails: e.ADMIN_EMAILS.map((s) => s.toLowerCase()),
    trustProxy: e.TRUST_PROXY,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxUrlBytes: e.MAX_URL_BYTES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    importTimeoutMs: e.IMPORT_TIMEOUT_MS,
    ws: {
      idleTimeoutS: e.WS_IDLE_TIMEOUT_S,
      maxLifetimeMs: e.WS_MAX_LIFETIME_S * 1000,
      maxPerIp: e.WS_MAX_PER_IP,
    },
    rateLimits: {
      otpPerEmail: e.RATE_LIMIT_OTP_PER_EMAIL,
      otpPerIp: e.RATE_LIMIT_OTP_PER_IP,
      verifyPerIp: e.RATE_LIMIT_VERIFY_PER_IP,
      login: e.RATE_LIMIT_LOGIN,
      invitePerIp: e.RATE_LIMIT_INVITE_PER_IP,
      refreshPerIp: e.RATE_LIMIT_REFRESH_PER_IP,
      emailChangePerUser: e.RATE_LIMIT_EMAIL_CHANGE,
      emailChangePerIp: e.RATE_LIMIT_EMAIL_CHANGE_PER_IP,
    },
    github: e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET
      ? {
        clientId: e.GITHUB_CLIENT_ID,
        clientSecret: e.GITHUB_CLIENT_SECRET,
        oauthBaseUrl: e.GITHUB_OAUTH_BASE_URL.replace(/\/+$/, ""),
        apiBaseUrl: e.GITHUB_API_BASE_URL.replace(/\/+$/, ""),
      }
      : undefined,
    logRequests: e.LOG_REQUESTS,
    runWorker: e.RUN_WORKER,
    marketSeed: e.MARKET_SEED,
    marketCacheBytes: Math.round(e.MARKET_CACHE_MB * 1024 * 1024),
    maxImportBytes: e.MAX_IMPORT_BYTES,
    maxSyncSymbolBars: e.MAX_SYNC_SYMBOL_BARS,
    maxExpressionCost: e.MAX_EXPRESSION_COST,
    maxJobExpressionCost: e.MAX_JOB_EXPRESSION_COST,
    catalogCompareRate: e.RATE_LIMIT_CATALOG_COMPARE,
    backtestConcurrency: e.BACKTEST_CONCURRENCY,
    syncBacktestConcurrency: e.SYNC_BACKTEST_CONCURRENCY,
    jobQueue: e.JOB_QUEUE ?? (opts.onDeploy ? "poll" : "queue"),
    maxJobSymbolBars: e.MAX_JOB_SYMBOL_BARS,
    backtestJobMaxMs: e.BACKTEST_JOB_MAX_SECONDS * 1000,
    backtestJobMaxAttempts: e.BACKTEST_JOB_MAX_ATTEMPTS,
    backtestRate: e.RATE_LIMIT_BACKTEST,
    signalRate: e.RATE_LIMIT_SIGNAL,
    importRate: e.RATE_LIMIT_IMPORT,
    factorUploadMaxBytes: e.FACTOR_UPLOAD_MAX_BYTES,
    factorComputeRate: e.RATE_LIMIT_FACTOR_COMPUTE,
    mcpRate: { user: e.RATE_LIMIT_MCP, anonymousPerIp: e.RATE_LIMIT_MCP_ANON_PER_IP },
    publicCacheMaxBytes: Math.round(e.PUBLIC_CACHE_MB * 1024 * 1024),
    attest: e.GITHUB_TOKEN && e.ATTEST_REPO
      ? {
        token: e.GITHUB_TOKEN,
        repo: e.ATTEST_REPO,
        branch: e.ATTEST_BRANCH,
        apiBaseUrl: e.GITHUB_API_BASE_URL.replace(/\/+$/, ""),
      }
      : undefined,
    tlogOrigin: e.TLOG_ORIGIN,
    tlogDemoOrigin: e.TLOG_DEMO_ORIGIN,
    witnesses: { urls: e.WITNESS_URLS, timeoutMs: e.WITNESS_TIMEOUT_MS },
    assistant: {
      gemini: e.GEMINI_API_KEY
        ? { apiKey: e.GEMINI_API_KEY, model: e.GEMINI_MODEL, baseUrl: e.GEMINI_BASE_URL?.replace(/\/+$/, "") }
        : undefined,
      timeoutMs: e.ASSISTANT_TIMEOUT_MS,
      rate: e.RATE_LIMIT_ASSISTANT,
    },
    yahoo: {
      enabled: e.YAHOO_ENABLED,
      symbols: e.YAHOO_SYMBOLS.map((s) => s.toUpperCase()),
      baseUrl: e.YAHOO_BASE_URL,
    },
    licenses: {
      signingKey: e.LICENSE_SIGNING_KEY,
      imageUrls: { amd64: e.QUANTOS_IMAGE_URL_AMD64, arm64: e.QUANTOS_IMAGE_URL_ARM64 },
    },
    version: VERSION,
    buildId: e.DENO_DEPLOYMENT_ID ? `${VERSION}+${e.DENO_DEPLOYMENT_ID}` : VERSION,
  };
}

/** Describes a rate rule for users: `"5 per 15 minutes"`. */
export function describeRateRule(rule: RateRule): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [
    1_000,
    "second",
  ]];
  for (const [ms, name] of units) {
    if (rule.windowMs % ms === 0) {
      const n = rule.windowMs / ms;
      return `${rule.limit} per ${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${rule.limit} per ${rule.windowMs} ms`;
}
