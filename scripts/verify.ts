/**
 * `deno task verify <base-url> <slug> [--through DATE [--first DATE] [--days N] [--signal-days N]]`: verifies a
 * public track record day by day and, with `--through`, that it is complete through that day; exit code 1 on
 * any failure, 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { type RecordExpectation, verifyRecord } from "./verify_record.ts";

const USAGE = "usage: deno task verify <base-url> <slug> [--through YYYY-MM-DD] [--first YYYY-MM-DD] " +
  "[--days N] [--signal-days N]\n   e.g. deno task verify http://localhost:8000 demo-reversal";

function parse(): { baseUrl: string; slug: string; expect?: RecordExpectation } | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        through: { type: "string" },
        first: { type: "string" },
        days: { type: "string" },
        "signal-days": { type: "string" },
      },
    });
  } catch {
    return null;
  }
  const { values, positionals } = parsed;
  const [baseUrl, slug] = positionals;
  if (!baseUrl || !slug || positionals.length > 2) return null;
  const date = (v: string | undefined) => v === undefined || /^\d{4}-\d{2}-\d{2}$/.test(v);
  const count = (v: string | undefined) => v === undefined || /^\d+$/.test(v);
  if (!date(values.through) || !date(values.first) || !count(values.days) || !count(values["signal-days"])) {
    return null;
  }
  if (!values.through) {
    return values.first || values.days || values["signal-days"] ? null : { baseUrl, slug };
  }
  return {
    baseUrl,
    slug,
    expect: {
      through: values.through,
      first_day: values.first,
      settled_days: values.days === undefined ? undefined : Number(values.days),
      signal_days: values["signal-days"] === undefined ? undefined : Number(values["signal-days"]),
    },
  };
}

const args = parse();
if (!args) {
  console.error(USAGE);
  Deno.exit(2);
}
const { baseUrl, slug, expect } = args;
try {
  const v = await verifyRecord(baseUrl, slug, fetch, expect);
  for (const d of v.days) {
    const mark = d.failures.length === 0 ? "ok  " : "FAIL";
    const sig = d.signal_hash
      ? `signal ${d.signal_hash.slice(0, 12)}… hash, proof, signature, deadline checked`
      : "hold day";
    console.log(`${mark} ${d.date}  NAV ${d.nav.toFixed(2).padStart(14)}  ${sig}`);
    for (const f of d.failures) console.log(`       ✗ ${f}`);
  }
  for (const f of v.failures) console.log(`FAIL ${f}`);
  const bad = v.days.filter((d) => d.failures.length > 0).length;
  console.log(
    `\n${v.ok ? "VERIFIED" : "NOT VERIFIED"}: ${slug}, ${v.days.length} settled days, ${bad} failing` +
      `${v.failures.length ? `, ${v.failures.length} record-level failures` : ""}; ` +
      `log size ${v.checkpoint?.tree_size}, root ${
        v.checkpoint?.root_hash.slice(0, 16)
      }…, key ${v.checkpoint?.key_id}`,
  );
  Deno.exit(v.ok ? 0 : 1);
} catch (e) {
  console.error(`verify failed: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
}
