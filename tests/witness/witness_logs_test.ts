import assert from "node:assert/strict";
import { isOrigin, parseWitnessedLogs } from "../../witness/witness_logs.ts";

const KEY_A = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
const KEY_B = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));

Deno.test("parseWitnessedLogs() reads `<origin> <key>` entries separated by `;`, spaces around them ignored", () => {
  assert.deepEqual(parseWitnessedLogs(""), []);
  assert.deepEqual(parseWitnessedLogs(" ; "), []);
  assert.deepEqual(parseWitnessedLogs(`quantedge/signals ${KEY_A}; quantedge/demo  ${KEY_B};`), [
    { origin: "quantedge/signals", public_key: KEY_A },
    { origin: "quantedge/demo", public_key: KEY_B },
  ]);
});

Deno.test("parseWitnessedLogs() refuses malformed entries, a repeated origin and too many logs, naming the entry", () => {
  const cases: [string, RegExp][] = [
    ["quantedge/signals", /quantedge\/signals/],
    [`quantedge/signals ${KEY_A} extra`, /not "<origin>/],
    [`quantedge/signals ${KEY_A.slice(0, 20)}`, /not "<origin>/],
    [`quantedge/signals ${btoa("short")}`, /not "<origin>/],
    [`a ${KEY_A}; a ${KEY_B}`, /twice/],
    [Array.from({ length: 65 }, (_, i) => `log${i} ${KEY_A}`).join(";"), /more than 64/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseWitnessedLogs(text),
      (err: Error) => err instanceof TypeError && message.test(err.message),
    );
  }
});

Deno.test("isOrigin() takes 1–256 printable characters without spaces", () => {
  assert.equal(isOrigin("quantedge/signals"), true);
  assert.equal(isOrigin("x".repeat(256)), true);
  for (const bad of ["", "x".repeat(257), "a b", "a\nb", "a\u0000", "a\u007f"]) {
    assert.equal(isOrigin(bad), false);
  }
});
