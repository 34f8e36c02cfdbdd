/**
 * The whole app served for browser tests on 127.0.0.1 (port 0) by `Deno.serve` (so WebSockets work): a `:memory:`
 * KV, the real clock, a capturing mailer (OTP codes are read from it), and the background side `main.ts` runs —
 * the queue listener that runs queued backtests and the stream bridge that feeds `/ws` — but no crons.
 */
import { buildServices, type Services } from "../../app/services.ts";
import { type Clock, systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import type { LogFn } from "../../domain/log.ts";
import type { MailMessage } from "../../domain/mail/mailer.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { type QueueWorker, startQueueWorker } from "../../jobs/queue.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { createApp } from "../../routes/app.ts";
import { captureMailer, lastOtp } from "./test_app.ts";

/** A served app. */
export interface AppServer {
  /** `http://127.0.0.1:<port>` — the only origin pages may reach. */
  origin: string;
  services: Services;
  kv: Deno.Kv;
  /** Every mail sent. */
  sent: MailMessage[];
  /** Log lines of the app (requests are not logged). */
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  /**
   * The OTP code of the newest mail to `email` among the mails sent after the first `since` (default: all),
   * waiting up to `timeoutMs` for it.
   */
  otp(email: string, since?: number, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the app. `env` adds settings over the test configuration; `clock` replaces the real clock;
 * `seed` runs on the services before the first request is answered (build records, users, ...);
 * `queueWorker: false` starts no queue listener, so a queued job stays queued until the test runs it.
 */
export async function startAppServer(
  opts: {
    env?: Record<string, string>;
    clock?: Clock;
    seed?: (services: Services) => Promise<void>;
    queueWorker?: boolean;
  } = {},
): Promise<AppServer> {
  let handler: ((req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>) | null = null;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req, info) => handler ? handler(req, info) : new Response("starting", { status: 503 }),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const clock = opts.clock ?? systemClock;
  const kv = await Deno.openKv(":memory:");
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: ":memory:",
    JWT_SECRET: "browser-test-secret-0123456789abcdef-0123",
    ADMIN_EMAILS: "admin@example.com",
    LOG_REQUESTS: "false",
    HOST: "127.0.0.1",
    PORT: String(server.addr.port),
    PUBLIC_BASE_URL: origin,
    ...(opts.env ?? {}),
  });
  const logs: AppServer["logs"] = [];
  const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
  const mailer = captureMailer();
  let worker: QueueWorker | null = null;
  const services = await buildServices({
    config,
    kv,
    clock,
    mailer,
    log,
    queue: {
      listening: () => worker?.listening() ?? false,
      enqueueHeartbeat: () => worker ? worker.enqueueHeartbeat() : Promise.resolve(),
    },
  });
  if (opts.queueWorker !== false) {
    worker = startQueueWorker({
      messages: createQueueRepo(kv),
      clock,
      health: createHealthRepo(kv),
      log,
      market: services.market,
      backtests: services.backtests,
    });
  }
  const bridge = startStreamBridge(
    { streams: services.streams, jobs: services.backtests.jobs },
    services.hub,
    () => clock.now(),
  );
  await bridge.ready;
  if (opts.seed) await opts.seed(services);
  const app = createApp(services);
  handler = (req, info) => app.fetch(req, info);
  return {
    origin,
    services,
    kv,
    sent: mailer.sent,
    logs,
    async otp(email, since = 0, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        try {
          return lastOtp(mailer.sent.slice(since), email);
        } catch (e) {
          if (Date.now() > until) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    },
    async close() {
      await server.shutdown();
      bridge.stop();
      await services.track.background.drain();
      kv.close();
      // The queue listener ends once KV is closed; wait for it so no async op outlives the test.
      for (let i = 0; i < 200 && worker?.listening(); i++) await new Promise((r) => setTimeout(r, 10));
    },
  };
}
