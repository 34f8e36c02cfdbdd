/**
 * The one-time message after a signal is submitted or withdrawn. The page script reloads the page with
 * `?submitted=<trade date>` or `?withdrawn=<trade date>`; the server renders the message from the stored signal
 * (its hash and log position), so the browser rebuilds nothing the server renders.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../app_env.ts";
import type { SignalView } from "../../../domain/track_record/signals/signals.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `?submitted=` and `?withdrawn=` (each absent or a date); `null` when one is malformed. */
export function noticeQuery(c: Context<AppEnv>): { submitted?: string; withdrawn?: string } | null {
  const out: { submitted?: string; withdrawn?: string } = {};
  for (const name of ["submitted", "withdrawn"] as const) {
    const raw = c.req.query(name);
    if (raw === undefined) continue;
    if (!DATE.test(raw)) return null;
    out[name] = raw;
  }
  return out;
}

/** The stored signal just submitted: its hash and where it is in the transparency log. */
export function SubmittedNotice(props: { s: SignalView }) {
  const s = props.s;
  return (
    <div role="status" id="signal-notice">
      <p class="ok">
        {s.replaced_versions > 0 ? "Replaced" : "Submitted"} the signal for {s.trade_date}.
      </p>
      <p>
        Signal hash: <code id="signal-hash">{s.signal_hash}</code>
      </p>
      <p id="signal-log">
        {s.log
          ? `In the transparency log: leaf ${s.log.leaf_index} of a tree of ${s.log.tree_size}.`
          : "Not in the transparency log yet (it is added on the next run)."}
      </p>
    </div>
  );
}

/** A signal withdrawn (shown only when no signal is stored for that day any more). */
export function WithdrawnNotice(props: { date: string }) {
  return <p role="status" id="withdraw-notice">Withdrew the signal for {props.date}.</p>;
}
