/** Builds a whole app on an in-memory KV with a fixed clock and a capturing mailer, for route tests. */
import { fixedClock } from "../../domain/clock.ts";
import { type Config, parseConfig } from "../../domain/config.ts";
import type { LogFn } from "../../domain/log.ts";
import type { Mailer, MailMessage } from "../../domain/mail/mailer.ts";
import { createApp } from "../../routes/app.ts";
import { buildServices, type Services } from "../../app/services.ts";
import { assertMeetsContract } from "./response_contract.ts";

/** 2026-05-14T01:00:00Z, a Thursday (09:00 in Shanghai). */
export const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

/** A mailer that keeps every message in `sent`. */
export function captureMailer(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return {
    kind: "log",
    sent,
    send(m) {
      sent.push(m);
      return Promise.resolve();
    },
    check: () => Promise.resolve({ ok: true, detail: "test mailer" }),
  };
}

/** Everything a route test touches. */
export interface TestWorld {
  app: ReturnType<typeof createApp>;
  deps: Services;
  kv: Deno.Kv;
  clock: ReturnType<typeof fixedClock>;
  mailer: Mailer & { sent?: MailMessage[] };
  sent: MailMessage[];
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  config: Config;
  /**
   * Sends a request to the app; `json` is serialised with the right content type. A JSON answer that breaks the
   * app's OpenAPI contract (an undeclared key, a wrong type, a missing required key) throws.
   */
  request(
    method: string,
    path: string,
    opts?: { json?: unknown; body?: BodyInit; token?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Opens a fresh world: `:memory:` KV (or the file `opts.kvPath`, which several worlds may share like processes),
 * clock at `T0`, test config (admin `admin@example.com`).
 */
export async function openTestWorld(
  env: Record<string, string> = {},
  opts: { mailer?: Mailer; kvPath?: string } = {},
): Promise<TestWorld> {
  const kv = await Deno.openKv(opts.kvPath ?? ":memory:");
  const clock = fixedClock(T0);
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: ":memory:",
    JWT_SECRET: "test-secret-test-secret-test-secret-0123456789",
    ADMIN_EMAILS: "admin@example.com",
    TRUST_PROXY: "true",
    LOG_REQUESTS: "false",
    ...env,
  });
  const logs: TestWorld["logs"] = [];
  const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
  const capture = captureMailer();
  const mailer = opts.mailer ?? capture;
  let heartbeats = 0;
  const deps = await buildServices({
    config,
    kv,
    clock,
    mailer,
    log,
    queue: {
      listening: () => true,
      enqueueHeartbeat: () => {
        heartbeats++;
        return Promise.resolve();
      },
    },
  });
  const app = createApp(deps);
  return {
    app,
    deps,
    kv,
    clock,
    mailer,
    sent: capture.sent,
    logs,
    config,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      let body = o.body;
      if (o.json !== undefined) {
        headers["content-type"] ??= "application/json";
        body = JSON.stringify(o.json);
      }
      if (o.token) headers["authorization"] = `Bearer ${o.token}`;
      const res = await app.request(path, { method, headers, body });
      await assertMeetsContract(app, method, path, res);
      return res;
    },
    close: async () => {
      await deps.track.background.drain();
      kv.close();
    },
  };
}

/** Extracts the 6-digit code from the last mail sent to `email`. */
export function lastOtp(sent: MailMessage[], email: string): string {
  const mail = sent.filter((m) => m.to === email.trim().toLowerCase()).at(-1);
  const code = mail?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no OTP mail for ${email}`);
  return code;
}

/** Signs `email` in through the OTP flow and returns the token pair body. */
export async function signInWithOtp(
  world: TestWorld,
  email: string,
  ip = "10.0.0.1",
): Promise<{ access_token: string; refresh_token: string; user: { id: string; email: string } }> {
  const headers = { "x-forwarded-for": ip };
  const r1 = await world.request("POST", "/api/v1/auth/request-otp", { json: { email }, headers });
  if (r1.status !== 200) throw new Error(`request-otp ${r1.status}: ${await r1.text()}`);
  const r2 = await world.request("POST", "/api/v1/auth/verify-otp", {
    json: { email, otp_code: lastOtp(world.sent, email) },
    headers,
  });
  if (r2.status !== 200) throw new Error(`verify-otp ${r2.status}: ${await r2.text()}`);
  return await r2.json();
}

/** Signs in the configured admin (`admin@example.com`). */
export function signInAdmin(world: TestWorld) {
  return signInWithOtp(world, "admin@example.com", "10.9.9.9");
}
