/** The 400 page of the track-record pages: the query could not be used, and why. */
import type { Context } from "hono";
import type { AppEnv } from "../../app_env.ts";
import { renderPage } from "../layout.tsx";

/** Answers 400 with `message` (already bounded by the caller) and a way back. */
export function renderBadRequest(c: Context<AppEnv>, message: string, back = "/app/records") {
  return renderPage(c, {
    title: "Bad request",
    zh: "请求无效",
    active: "records",
    children: (
      <>
        <p class="error" role="alert">{message}</p>
        <p>
          <a href={back}>Start again</a>
        </p>
      </>
    ),
  }, 400);
}
