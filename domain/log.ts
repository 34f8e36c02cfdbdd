/** The JSON-lines logger: one object per line with time, level and message; never pass secrets in `fields`. */

/** How serious a line is. */
export type LogLevel = "info" | "warn" | "error";

/** Structured log sink: one JSON object per line. */
export type LogFn = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

/** Creates a logger writing JSON lines to `sink` (stdout by default, one write each); `nowIso` stamps each line. */
export function createJsonLogger(
  nowIso: () => string,
  sink: (line: string, level: LogLevel) => void = (line) => console.log(line),
): LogFn {
  return (level, msg, fields = {}) => sink(JSON.stringify({ time: nowIso(), level, msg, ...fields }), level);
}
