/** `deno task health`: prints `/health` of a running server (HEALTH_URL, default http://localhost:$PORT/health). */
const port = Deno.env.get("PORT") ?? "8000";
const url = Deno.env.get("HEALTH_URL") ?? `http://localhost:${port}/health`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await res.json();
  console.log(JSON.stringify(body, null, 2));
  // `/health` answers "healthy" (the Backtester v2 shape), `/api/v1/health` "ok".
  Deno.exit(res.ok && (body.status === "healthy" || body.status === "ok") ? 0 : 1);
} catch (e) {
  console.error(`Cannot reach ${url}: ${(e as Error).message}`);
  Deno.exit(2);
}
