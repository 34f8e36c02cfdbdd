/**
 * Builds the identity services alone (no HTTP) with the production wiring (`app/auth_services.ts`) on a fresh
 * `:memory:` KV with a fixed clock, for domain tests.
 */
import { buildAuthServices } from "../../app/auth_services.ts";
import type { AuthDeps, AuthSettings } from "../../domain/auth/auth_deps.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { captureMailer, T0 } from "./test_app.ts";

/** The secret the helper signs with (also the OTP HMAC key). */
export const AUTH_TEST_SECRET = "auth-deps-secret-auth-deps-secret-0123";

/** Identity services plus the handles a test inspects. */
export interface AuthWorld {
  deps: AuthDeps;
  kv: Deno.Kv;
  clock: ReturnType<typeof fixedClock>;
  sent: ReturnType<typeof captureMailer>["sent"];
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  close(): void;
}

/** Opens identity services with the default settings (admin `admin@example.com`), overridable per test. */
export async function openAuthWorld(settings: Partial<AuthSettings> = {}): Promise<AuthWorld> {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  const config = parseConfig({ ADMIN_EMAILS: "admin@example.com" });
  const mailer = captureMailer();
  const logs: AuthWorld["logs"] = [];
  const log: AuthWorld["logs"] = logs;
  const deps: AuthDeps = buildAuthServices({
    config,
    kv,
    clock,
    mailer,
    log: (level, msg, fields) => log.push({ level, msg, fields }),
    secret: AUTH_TEST_SECRET,
    overrides: settings,
  });
  return { deps, kv, clock, sent: mailer.sent, logs, close: () => kv.close() };
}
