/**
 * Cost of the HTTP hygiene layer: the text check on a 20,000-character strategy text (the largest text field),
 * and whole requests through the app with all its middleware (security headers, URL length, deadline, JSON
 * content-type gate): `GET /health`, a `POST` refused with 415 before authentication, and a 9 KiB URL (414).
 */
import { findUnsafeCharacter } from "../domain/safe_text.ts";
import { openTestWorld } from "../tests/_helpers/test_app.ts";

const CODE = "entry: close > sma(close, 20) and rsi(close, 14) < 30 # 说明 📈\n".repeat(320).slice(0, 20_000);
const SHORT = "Momentum 10 — A-share large caps";

Deno.bench("findUnsafeCharacter() on 20,000 characters of strategy text", { group: "text" }, () => {
  if (findUnsafeCharacter(CODE, true) !== null) throw new Error("unexpected refusal");
});
Deno.bench("findUnsafeCharacter() on a 33-character name", { group: "text" }, () => {
  if (findUnsafeCharacter(SHORT, false) !== null) throw new Error("unexpected refusal");
});

const w = await openTestWorld();
const app = w.app;
Deno.bench("GET /health through every middleware", { group: "request" }, async () => {
  const res = await app.request("/health");
  await res.body?.cancel();
});
Deno.bench(
  "POST /api/v1/tickets without a content type (415 before auth)",
  { group: "request" },
  async () => {
    const res = await app.request("/api/v1/tickets", { method: "POST" });
    if (res.status !== 415) throw new Error(`status ${res.status}`);
    await res.body?.cancel();
  },
);
Deno.bench("GET with a 9 KiB URL (414)", { group: "request" }, async () => {
  const res = await app.request(`/api/v1/data/symbols?q=${"a".repeat(9_000)}`);
  if (res.status !== 414) throw new Error(`status ${res.status}`);
  await res.body?.cancel();
});
