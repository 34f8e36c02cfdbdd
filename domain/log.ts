/** The JSON-lines logger: one object per line with time, level and message; never pass secrets in `fields`. */

/** Structured log sink: one JSON object per line. */
export type LogFn = (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;

/** Creates a logger writing JSON lines to `sink` (stdout by default); `nowIso` stamps each line. */
export function createJsonLogger(
  nowIso: () => string,
  sink: (line: string) => void = (line) => console.log(line),
): LogFn {
  return (level, msg, fields = {}) => sink(JSON.stringify({ time: nowIso(), level, msg, ...fields }));
}
