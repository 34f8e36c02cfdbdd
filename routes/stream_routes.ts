/**
 * `WS /ws/backtests/{id}`: sends the job's state at once, then each change (progress, current_date,
 * trades_executed, status), then the final state, and closes. Auth by `?token=` or the `Sec-WebSocket-Protocol`
 * header (`bearer, <token>` or just the token; the token entry is echoed back as the accepted subprotocol);
 * another user's job is refused before the upgrade. State is read from KV with `kv.watch`, so progress written
 * by any isolate reaches the socket.
 */
import { Hono } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { authenticate } from "../domain/auth/sessions.ts";
import { type BacktestJobDeps, getOwnJob } from "../domain/backtest/jobs.ts";
import { UnauthorizedError } from "../domain/errors.ts";
import type { BacktestJobRecord } from "../domain/store/backtest_job_repo.ts";
import type { AppEnv } from "./app_env.ts";
import { errorResponse } from "./errors.ts";
import { type TopicHub, TRADES_TOPIC } from "../domain/stream/hub.ts";

const FINISHED = new Set(["completed", "failed", "cancelled"]);

/** The message sent for a job state. */
export function progressMessage(j: BacktestJobRecord) {
  return {
    type: "progress",
    job_id: j.id,
    status: j.status,
    progress: j.progress,
    current_date: j.current_date,
    trades_executed: j.trades_executed,
    error: j.error,
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
export function streamRoutes(auth: AuthDeps, jobs: BacktestJobDeps, hub?: TopicHub) {
  const app = new Hono<AppEnv>();
  // WS /ws: every trade settled for a public strategy, as {"type":"trade","data":{…}}, from any isolate (the
  // KV stream bridge republishes into this process's hub). No auth: public strategies' trades are public.
  app.get("/ws", (c) => {
    if (!hub) return c.json({ detail: "Trade stream not available" }, 404);
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      return c.json({ detail: "Expected a WebSocket upgrade" }, 426);
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    let unsubscribe = () => {};
    socket.onopen = () => {
      unsubscribe = hub.subscribe(TRADES_TOPIC, (event) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
      });
    };
    socket.onclose = () => unsubscribe();
    return response;
  });
  app.get("/ws/backtests/:id", async (c) => {
    const id = c.req.param("id");
    const { token, protocol } = socketCredential(c.req.url, c.req.header("sec-websocket-protocol"));
    try {
      if (!token) throw new UnauthorizedError("Not authenticated");
      const principal = await authenticate(auth, token);
      await getOwnJob(jobs, principal.user.id, id);
    } catch (e) {
      const res = errorResponse(e, c.get("correlationId"));
      return c.json(res.body, res.status as 401);
    }
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      return c.json({ detail: "Expected a WebSocket upgrade" }, 426);
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw, protocol ? { protocol } : {});
    const abort = new AbortController();
    socket.onclose = () => abort.abort();
    socket.onopen = async () => {
      try {
        for await (const job of jobs.jobs.watch(id, abort.signal)) {
          if (!job || socket.readyState !== WebSocket.OPEN) break;
          socket.send(JSON.stringify(progressMessage(job)));
          if (FINISHED.has(job.status)) break;
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
