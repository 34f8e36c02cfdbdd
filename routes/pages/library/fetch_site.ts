/**
 * Whether a GET that spends the visitor's budget (a compare runs backtests and charges the run rate limit) came from
 * this site. Session cookies are SameSite=Lax, so a link on another site carries them: such a navigation must not
 * run anything. Browsers send `Sec-Fetch-Site` (`same-origin` from our own pages, `none` for a typed URL or a
 * bookmark); a client that sends none is not a browser following a third party's link.
 */
import type { Context } from "hono";

/** True when the request came from our own pages, the address bar, or a non-browser client. */
export function fromThisSite(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  return site === undefined || site === "same-origin" || site === "none";
}
