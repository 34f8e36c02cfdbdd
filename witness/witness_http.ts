/**
 * The witness's HTTP front end (the only file of `witness/` that knows Hono): `GET /`, `POST /add-checkpoint`
 * and `GET /alerts`, JSON in and out, errors as `{"detail": …}`. A body over `MAX_BODY_BYTES` is refused with
 * 413 before it is parsed, a body that is not JSON with 400; nothing a caller sends gives a 500.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Witness } from "./witness.ts";

/** Largest add-checkpoint body accepted (64 KiB). */
const MAX_BODY_BYTES = 64 * 1024;

/** The witness's HTTP app. `onUnexpected` hears errors that are bugs or storage failures (answered 500). */
export function createWitnessApp(witness: Witness, onUnexpected: (err: unknown) => void = () => {}): Hono {
  const app = new Hono();
  app.get("/", async (c) => c.json(await witness.info()));
  app.get("/alerts", async (c) => c.json(await witness.alerts()));
  app.post(
    "/add-checkpoint",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ detail: `Request body too large (limit ${MAX_BODY_BYTES} bytes)` }, 413),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return c.json({ detail: "Malformed add-checkpoint request: the body is not JSON" }, 400);
      }
      const outcome = await witness.addCheckpoint(body);
      return c.json(outcome.body, outcome.status);
    },
  );
  app.notFound((c) => c.json({ detail: "Not Found" }, 404));
  app.onError((err, c) => {
    onUnexpected(err);
    return c.json({ detail: "The witness failed to answer; try again later" }, 500);
  });
  return app;
}
