/**
 * The load test's rows: the issue's table (two references, the public reads, `/health`), the rest of the public
 * GETs, the agents' authenticated daily-loop reads, compressed and conditional (304) variants, and the public
 * list with 1,000 more public strategies.
 */

/** Which server a row is measured on. */
export type RowServer = "reference" | "app" | "app1000";

/** What a row is held to: the KV-read target (public), the liveness target (health), or none. */
export type RowKind = "reference" | "public" | "health" | "auth";

/** What the seeding produced, for building paths. */
export interface RowContext {
  first_day: string;
  last_day: string;
  signal_hash: string;
  days: number;
  strategies: number;
}

/** One row of the table. */
export interface RowSpec {
  id: string;
  server: RowServer;
  kind: RowKind;
  label(ctx: RowContext): string;
  path(ctx: RowContext): string;
  /** `Accept-Encoding` sent with every request. */
  encoding?: "br" | "gzip";
  /** Sends the ETag of the row's first answer back as `If-None-Match` (a 304 when the server supports it). */
  conditional?: boolean;
  /** Sends the seeded API key. */
  auth?: boolean;
}

const PUB = "/api/v1/public/strategies";
const DR = `${PUB}/demo-reversal`;

/** Every row, in the table's order. */
export const ROWS: readonly RowSpec[] = [
  {
    id: "ref-json",
    server: "reference",
    kind: "reference",
    label: () => "a bare Hono JSON route (reference)",
    path: () => "/json",
  },
  {
    id: "ref-kv",
    server: "reference",
    kind: "reference",
    label: (c) => `a bare Hono route reading one KV value of a ${c.days}-row record (reference)`,
    path: () => "/kv",
  },
  {
    id: "calendar",
    server: "app",
    kind: "public",
    label: (c) => `GET /api/v1/calendar?date=${c.last_day}`,
    path: (c) => `/api/v1/calendar?date=${c.last_day}`,
  },
  {
    id: "list",
    server: "app",
    kind: "public",
    label: () => "GET /api/v1/public/strategies (3 strategies)",
    path: () => PUB,
  },
  {
    id: "track-record",
    server: "app",
    kind: "public",
    label: (c) => `GET …/demo-reversal/track-record (${c.days} days)`,
    path: () => `${DR}/track-record`,
  },
  {
    id: "performance",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/performance",
    path: () => `${DR}/performance`,
  },
  {
    id: "verify",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/verify",
    path: () => `${DR}/verify`,
  },
  { id: "health", server: "app", kind: "health", label: () => "GET /health", path: () => "/health" },
  {
    id: "verify-day",
    server: "app",
    kind: "public",
    label: (c) => `GET …/demo-reversal/verify?date=${c.last_day} (a settled day)`,
    path: (c) => `${DR}/verify?date=${c.last_day}`,
  },
  {
    id: "audit",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/audit",
    path: () => `${DR}/audit`,
  },
  {
    id: "claimed",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/claimed",
    path: () => `${DR}/claimed`,
  },
  {
    id: "log-checkpoint",
    server: "app",
    kind: "public",
    label: () => "GET /api/v1/public/log/checkpoint?log=demo",
    path: () => "/api/v1/public/log/checkpoint?log=demo",
  },
  {
    id: "log-proof",
    server: "app",
    kind: "public",
    label: () => "GET /api/v1/public/log/proof/{hash}?log=demo",
    path: (c) => `/api/v1/public/log/proof/${c.signal_hash}?log=demo`,
  },
  {
    id: "symbols",
    server: "app",
    kind: "public",
    label: () => "GET /api/v1/data/symbols",
    path: () => "/api/v1/data/symbols",
  },
  {
    id: "bars",
    server: "app",
    kind: "public",
    label: (c) => `GET /api/v1/data/bars/600519.SH (${c.days} days)`,
    path: (c) => `/api/v1/data/bars/600519.SH?start=${c.first_day}&end=${c.last_day}`,
  },
  {
    id: "api-health",
    server: "app",
    kind: "health",
    label: () => "GET /api/v1/health",
    path: () => "/api/v1/health",
  },
  {
    id: "track-record-br",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/track-record, Accept-Encoding: br",
    path: () => `${DR}/track-record`,
    encoding: "br",
  },
  {
    id: "track-record-gzip",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/track-record, Accept-Encoding: gzip",
    path: () => `${DR}/track-record`,
    encoding: "gzip",
  },
  {
    id: "track-record-304",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/track-record, If-None-Match",
    path: () => `${DR}/track-record`,
    conditional: true,
  },
  {
    id: "list-304",
    server: "app",
    kind: "public",
    label: () => "GET /api/v1/public/strategies, If-None-Match",
    path: () => PUB,
    conditional: true,
  },
  {
    id: "verify-304",
    server: "app",
    kind: "public",
    label: () => "GET …/demo-reversal/verify, If-None-Match",
    path: () => `${DR}/verify`,
    conditional: true,
  },
  {
    id: "auth-strategies",
    server: "app",
    kind: "auth",
    label: () => "GET /api/v1/strategies?status=active (API key)",
    path: () => "/api/v1/strategies?status=active",
    auth: true,
  },
  {
    id: "auth-signals",
    server: "app",
    kind: "auth",
    label: () => "GET /api/v1/strategies/demo-reversal/signals?limit=1 (API key)",
    path: () => "/api/v1/strategies/demo-reversal/signals?limit=1",
    auth: true,
  },
  {
    id: "auth-me",
    server: "app",
    kind: "auth",
    label: () => "GET /api/v1/auth/me (API key)",
    path: () => "/api/v1/auth/me",
    auth: true,
  },
  {
    id: "list-1000",
    server: "app1000",
    kind: "public",
    label: (c) => `GET /api/v1/public/strategies (${(c.strategies + 3).toLocaleString("en-US")} strategies)`,
    path: () => PUB,
  },
  {
    id: "list-1000-page",
    server: "app1000",
    kind: "public",
    label: (c) =>
      `GET /api/v1/public/strategies?offset=500 (${(c.strategies + 3).toLocaleString("en-US")} strategies)`,
    path: () => `${PUB}?offset=500`,
  },
  {
    id: "list-1000-br",
    server: "app1000",
    kind: "public",
    label: (c) =>
      `GET /api/v1/public/strategies (${(c.strategies + 3).toLocaleString("en-US")}), Accept-Encoding: br`,
    path: () => PUB,
    encoding: "br",
  },
  {
    id: "list-1000-304",
    server: "app1000",
    kind: "public",
    label: (c) =>
      `GET /api/v1/public/strategies (${(c.strategies + 3).toLocaleString("en-US")}), If-None-Match`,
    path: () => PUB,
    conditional: true,
  },
];

/** The rows named in `--rows` (comma-separated ids), in the table's order; every row when `null`. */
export function selectRows(ids: string[] | null, strategies: number): RowSpec[] {
  if (ids) {
    const unknown = ids.filter((id) => !ROWS.some((r) => r.id === id));
    if (unknown.length > 0) {
      throw new Error(`unknown row ${unknown.join(", ")}; rows: ${ROWS.map((r) => r.id).join(", ")}`);
    }
  }
  return ROWS.filter((r) => (ids ? ids.includes(r.id) : true) && (r.server !== "app1000" || strategies > 0));
}
