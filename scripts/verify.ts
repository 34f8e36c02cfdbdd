/** `deno task verify <base-url> <slug>`: verifies a public track record day by day; exit code 1 on any failure. */
import { verifyRecord } from "./verify_record.ts";

const [baseUrl, slug] = Deno.args;
if (!baseUrl || !slug) {
  console.error(
    "usage: deno task verify <base-url> <slug>   e.g. deno task verify http://localhost:8000 demo-reversal",
  );
  Deno.exit(2);
}
try {
  const v = await verifyRecord(baseUrl, slug);
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
    `\n${v.ok ? "VERIFIED" : "NOT VERIFIED"}: ${slug}, ${v.days.length} settled days, ${bad} failing; ` +
      `log size ${v.checkpoint?.tree_size}, root ${
        v.checkpoint?.root_hash.slice(0, 16)
      }…, key ${v.checkpoint?.key_id}`,
  );
  Deno.exit(v.ok ? 0 : 1);
} catch (e) {
  console.error(`verify failed: ${e instanceof Error ? e.message : String(e)}`);
  Deno.exit(1);
}
