/**
 * `deno task verify <base-url> <slug> [--through D [--first D] [--days N] [--signal-days N]] [--json]
 * [--log-key BASE64] [--witness BASE64]... [--witnesses-required K] [--legacy-until YYYY-MM-DD]
 * [--timeout-seconds S]`: verifies a public track record with the
 * independent verifier (`verifier/verify.ts`), reading public endpoints only. Exit codes: 0 verified; 1 not
 * verified (a published number or proof is wrong); 2 bad arguments; 3 unreachable (network error, timeout,
 * non-2xx or non-JSON answer, or the overall time — default 600 s — ran out, and nothing checked was wrong).
 * Keys may be standard or URL-safe base64, padded or not.
 */
import { parseArgs } from "node:util";
import { normaliseKey } from "../verifier/options.ts";
import { type RecordExpectation, type RecordVerdict, verifyPublicRecord } from "../verifier/verify.ts";

const USAGE =
  "usage: deno task verify <base-url> <slug> [--through YYYY-MM-DD [--first YYYY-MM-DD] [--days N] " +
  "[--signal-days N]] [--json] [--log-key BASE64] [--witness BASE64]... [--witnesses-required K]\n" +
  "       [--legacy-until YYYY-MM-DD] [--timeout-seconds S]\n" +
  "   e.g. deno task verify http://localhost:8000 demo-reversal";

/** The exit code of each verdict. */
const EXIT = { verified: 0, not_verified: 1, unreachable: 3 } as const;

interface Args {
  baseUrl: string;
  slug: string;
  json: boolean;
  expect?: RecordExpectation;
  logKey?: string;
  witnesses: string[];
  witnessesRequired?: number;
  legacyUntil?: string;
  timeoutMs?: number;
}

const isKey = (v: string) => normaliseKey(v) !== null;

function parse(argv: string[]): Args | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        through: { type: "string" },
        first: { type: "string" },
        days: { type: "string" },
        "signal-days": { type: "string" },
        json: { type: "boolean" },
        "log-key": { type: "string" },
        witness: { type: "string", multiple: true },
        "witnesses-required": { type: "string" },
        "legacy-until": { type: "string" },
        "timeout-seconds": { type: "string" },
      },
    });
  } catch {
    return null;
  }
  const { values: v, positionals } = parsed;
  const [baseUrl, slug] = positionals;
  if (!baseUrl || !slug || positionals.length > 2 || !/^https?:\/\/./.test(baseUrl)) return null;
  const date = (x: string | undefined) => x === undefined || /^\d{4}-\d{2}-\d{2}$/.test(x);
  const count = (x: string | undefined) => x === undefined || /^\d{1,9}$/.test(x);
  if (!date(v.through) || !date(v.first) || !count(v.days) || !count(v["signal-days"])) return null;
  if (!v.through && (v.first || v.days || v["signal-days"])) return null;
  const witnesses = v.witness ?? [];
  if ((v["log-key"] !== undefined && !isKey(v["log-key"])) || !witnesses.every(isKey)) return null;
  const k = v["witnesses-required"];
  if (
    k !== undefined &&
    (!/^\d{1,3}$/.test(k) || Number(k) < 1 || Number(k) > new Set(witnesses.map(normaliseKey)).size)
  ) {
    return null;
  }
  const legacy = v["legacy-until"];
  if (legacy !== undefined && (!date(legacy) || isNaN(Date.parse(legacy)))) return null;
  const t = v["timeout-seconds"];
  if (t !== undefined && (!/^\d{1,6}$/.test(t) || Number(t) < 1)) return null;
  return {
    baseUrl,
    slug,
    json: v.json ?? false,
    expect: v.through
      ? {
        through: v.through,
        first_day: v.first,
        settled_days: v.days === undefined ? undefined : Number(v.days),
        signal_days: v["signal-days"] === undefined ? undefined : Number(v["signal-days"]),
      }
      : undefined,
    logKey: v["log-key"],
    witnesses,
    witnessesRequired: k === undefined ? undefined : Number(k),
    legacyUntil: legacy,
    timeoutMs: t === undefined ? undefined : Number(t) * 1000,
  };
}

function printText(v: RecordVerdict): void {
  for (const d of v.days) {
    const sig = d.signal_hash
      ? `signal ${d.signal_hash.slice(0, 12)}… hash, proof, signature, deadline checked`
      : "hold day";
    console.log(
      `${d.ok ? "ok  " : "FAIL"} ${d.date}  NAV ${(d.nav ?? NaN).toFixed(2).padStart(14)}  ${sig}; replayed`,
    );
    for (const f of d.failures) console.log(`       ✗ ${f}`);
  }
  for (const f of v.failures) console.log(`FAIL ${f}`);
  const bad = v.days.filter((d) => !d.ok).length;
  const label = { verified: "VERIFIED", not_verified: "NOT VERIFIED", unreachable: "UNREACHABLE" }[v.verdict];
  console.log(
    `\n${label}: ${v.slug}, ${v.days.length} settled days, ${bad} failing` +
      `${v.failures.length ? `, ${v.failures.length} record-level failures` : ""}; ` +
      `${v.checks.total} checks (${v.checks.failed} failed) of ${
        Object.keys(v.checks.by_kind).length
      } kinds; ` +
      `replay agrees to ${
        v.replay.max_relative_error.toExponential(2)
      } relative over ${v.replay.compared} figures; ` +
      (v.log
        ? `log ${v.log.origin} size ${v.log.tree_size}, root ${
          v.log.root_hash.slice(0, 16)
        }…, key ${v.log.key_id}`
        : "no log read"),
  );
}

const args = parse(Deno.args);
if (!args) {
  console.error(USAGE);
  Deno.exit(2);
}
let verdict: RecordVerdict;
try {
  verdict = await verifyPublicRecord({
    baseUrl: args.baseUrl,
    slug: args.slug,
    expect: args.expect,
    logKey: args.logKey,
    witnesses: args.witnesses,
    witnessesRequired: args.witnessesRequired,
    legacyUntil: args.legacyUntil,
    timeoutMs: args.timeoutMs,
  });
} catch (e) {
  if (!(e instanceof TypeError)) throw e;
  console.error(`${e.message}\n${USAGE}`);
  Deno.exit(2);
}
if (args.json) console.log(JSON.stringify(verdict, null, 2));
else printText(verdict);
Deno.exit(EXIT[verdict.verdict]);
