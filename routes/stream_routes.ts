/**
 * `WS /ws`: every trade settled for a public strategy, as `{"type": "trade", "data": {…}}`, to anyone; with a
 * token (`?token=` or the `Sec-WebSocket-Protocol` header, as below) also the signed-in user's own live trades —
 * the fills of their running queued backtests as they happen (`domain/backtest/live_trades.ts`), and with issue
 * 16 their paper instances' fills, which publish to the same per-user topic — never another user's. An invalid
 * token is refused (401) before the upgrade; no token means the public stream alone.
 *
 * `WS /ws/backtests/{id}`: sends the job's state at once, then each change (progress, current_date,
 * trades_executed, status), then the final state, and closes. Auth by `?token=` or the `Sec-WebSocket-Protocol`
 * header (`bearer, <token>` or just the token; the token entry is echoed back as the accepted subprotocol);
 * another user's job is refused before the upgrade. Progress takes the trades' path: each job change sets a KV
 * stream marker, the stream bridge of every isolate re-reads the jobs its sockets follow and publishes them to
 * the hub, so progress written by any isolate reaches the socket.
 *
 * Both endpoints live under `SocketLimits`: at most `maxPerIp` open sockets per client IP (more are refused with
 * 429 before the upgrade), a ping every `idleTimeoutS` seconds with the socket closed when no pong comes back
 * within as long (dead or stalled peers), and a close (1000, "lifetime reached") after `maxLifetimeMs`, so no
 * socket is held for ever; clients reconnect.
 */
import { Hono } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { authenticate } from "../domain/auth/sessions.ts";
import type { BacktestJobDeps } from "../domain/backtest/queued_runs.ts";
import { type JobProgressWatch, watchOwnJob } from "../domain/backtest/job_progress.ts";
import { RateLimitError, UnauthorizedError } from "../domain/errors.ts";
import type { AppEnv } from "./app_env.ts";
import { errorResponse } from "./errors.ts";
import { type TopicHub, TRADES_TOPIC, userTradesTopic } from "../domain/stream/hub.ts";

/** Limits on the WebSockets this router opens. */
export interface SocketLimits {
  /** Seconds between server pings; a socket whose pong does not come back within as long is closed. */
  idleTimeoutS: number;
  /** Longest life of one socket; then the server closes it (code 1000) and the client reconnects. */
  maxLifetimeMs: number;
  /** Open sockets (both endpoints together) per client IP. */
  maxPerIp: number;
}

/** The limits used when none are given. */
const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  idleTimeoutS: 30,
  maxLifetimeMs: 3_600_000,
  maxPerIp: 20,
};

/** The close reason sent when a socket reaches `maxLifetimeMs`. */
export const LIFETIME_REASON = "lifetime reached; reconnect";

/** Counts open sockets per client IP and closes each at the end of its lifetime. */
function socketBook(limits: SocketLimits) {
  const open = new Map<string, number>();
  return {
    /** Throws `RateLimitError` when `ip` already holds `maxPerIp` sockets. */
    check(ip: string) {
      if ((open.get(ip) ?? 0) >= limits.maxPerIp) {
        throw new RateLimitError(
          `Too many open WebSockets from this address (limit ${limits.maxPerIp}); close one first`,
          Math.max(1, Math.ceil(limits.idleTimeoutS)),
        );
      }
    },
    /** Upgrades `req`, counts the socket against `ip` until it closes, and closes it at the end of its life. */
    upgrade(req: Request, ip: string, protocol?: string) {
      const upgraded = Deno.upgradeWebSocket(req, {
        idleTimeout: limits.idleTimeoutS,
        ...(protocol ? { protocol } : {}),
      });
      const { socket } = upgraded;
      open.set(ip, (open.get(ip) ?? 0) + 1);
      const lifetime = setTimeout(() => {
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, LIFETIME_REASON);
      }, limits.maxLifetimeMs);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        clearTimeout(lifetime);
        const n = (open.get(ip) ?? 1) - 1;
        if (n <= 0) open.delete(ip);
        else open.set(ip, n);
      };
      socket.addEventListener("close", release);
      socket.addEventListener("error", release);
      return upgraded;
    },
  };
}

/** The bearer credential of a WebSocket request: `?token=` or a `Sec-WebSocket-Protocol` entry. */
function socketCredential(
  url: string,
  protocols: string | undefined,
): { token: string | null; protocol?: string } {
  const q = new URL(url).searchParams.get("token");
  if (q) return { token: q };
  const parts = (protocols ?? "").split(",").map((p) => p.trim()).filter(Boolean);
  const token = parts.find((p) => p.toLowerCase() !== "bearer") ?? null;
  return { token, protocol: token ?? undefined };
}

/** Builds the stream router. */
export function streamRoutes(
  auth: AuthDeps,
  jobs: BacktestJobDeps,
  hub?: TopicHub,
  limits: SocketLimits = DEFAULT_SOCKET_LIMITS,
) {
  const app = new Hono<AppEnv>();
  const book = socketBook(limits);
  // WS /ws: every trade settled for a public strategy, as {"type":"trade","data":{…}}, from any process (the
  // KV stream bridge republishes into this process's hub). No auth needed: public strategies' trades are public.
  // With a token, the user's own live trades too (their topic only).
  app.get("/ws", async (c) => {
    if (!hub) return c.json({ detail: "Trade stream not available" }, 404);
    const { token, protocol } = socketCredential(c.req.url, c.req.header("sec-websocket-protocol"));
    let userId: string | null = null;
    if (token) {
      try {
        userId = (await authenticate(auth, token)).user.id;
      } catch (e) {
        const res = errorResponse(e, c.get("correlationId"));
        return c.json(res.body, res.status as 401);
      }
    }
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      return c.json({ detail: "Expected a WebSocket upgrade" }, 426);
    }
    book.check(c.get("clientIp"));
    const { socket, response } = book.upgrade(c.req.raw, c.get("clientIp"), protocol);
    const unsubscribes: (() => void)[] = [];
    const send = (event: unknown) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
    };
    socket.onopen = () => {
      unsubscribes.push(hub.subscribe(TRADES_TOPIC, send));
      if (userId !== null) unsubscribes.push(hub.subscribe(userTradesTopic(userId), send));
    };
    socket.onclose = () => {
      for (const u of unsubscribes) u();
    };
    return response;
  });
  app.get("/ws/backtests/:id", async (c) => {
    if (!hub) return c.json({ detail: "Progress stream not available" }, 404);
    const id = c.req.param("id");
    const { token, protocol } = socketCredential(c.req.url, c.req.header("sec-websocket-protocol"));
    let watch: JobProgressWatch;
    try {
      if (!token) throw new UnauthorizedError("Not authenticated");
      const principal = await authenticate(auth, token);
      watch = await watchOwnJob({ backtests: jobs, hub }, principal.user.id, id);
    } catch (e) {
      const res = errorResponse(e, c.get("correlationId"));
      return c.json(res.body, res.status as 401);
    }
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      return c.json({ detail: "Expected a WebSocket upgrade" }, 426);
    }
    try {
      book.check(c.get("clientIp"));
    } catch (e) {
      const res = errorResponse(e, c.get("correlationId"));
      return c.json(res.body, res.status as 429, res.headers);
    }
    const { socket, response } = book.upgrade(c.req.raw, c.get("clientIp"), protocol);
    const abort = new AbortController();
    socket.onclose = () => abort.abort();
    socket.onopen = async () => {
      try {
        for await (const message of watch.messages(abort.signal)) {
          if (socket.readyState !== WebSocket.OPEN) break;
          socket.send(JSON.stringify(message));
        }
      } finally {
        if (socket.readyState === WebSocket.OPEN) socket.close(1000, "done");
        abort.abort();
      }
    };
    return response;
  });
  return app;
}
