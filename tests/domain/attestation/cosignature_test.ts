import assert from "node:assert/strict";
import {
  COSIGNATURE_HEADER,
  cosignedText,
  createCosignatureSigner,
  verifyCosignature,
} from "../../../domain/attestation/cosignature.ts";
import { noteText } from "../../../domain/attestation/checkpoint.ts";

async function witnessKey() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return createCosignatureSigner(pair.privateKey, raw);
}

const NOTE = noteText("example.test/log", 3, "ab".repeat(32), 1_700_000_000_000);

Deno.test("cosignature: the signed text is the header, the time line and the checkpoint note", () => {
  assert.equal(
    cosignedText(NOTE, 1_700_000_000_123),
    `${COSIGNATURE_HEADER}\ntime 1700000000123\nexample.test/log\n3\n${"ab".repeat(32)}\n1700000000000\n`,
  );
});

Deno.test("cosignature: a cosignature verifies for its note and key, and for nothing else", async () => {
  const w = await witnessKey();
  const other = await witnessKey();
  const cosig = await w.cosign("w1.example", NOTE, 1_700_000_000_500);
  assert.equal(cosig.witness, "w1.example");
  assert.equal(cosig.key_id, w.publicKey.key_id);
  assert.equal(await verifyCosignature(cosig, NOTE), true);
  assert.equal(await verifyCosignature(cosig, NOTE, w.publicKey.public_key), true);
  assert.equal(
    await verifyCosignature(cosig, NOTE, other.publicKey.public_key),
    false,
    "another trusted key",
  );
  assert.equal(await verifyCosignature(cosig, NOTE.replace("\n3\n", "\n4\n")), false, "another checkpoint");
  assert.equal(
    await verifyCosignature({ ...cosig, timestamp: cosig.timestamp - 1 }, NOTE),
    false,
    "time moved",
  );
  assert.equal(await verifyCosignature({ ...cosig, key_id: other.publicKey.key_id }, NOTE), false, "key id");
  assert.equal(
    await verifyCosignature({
      ...cosig,
      public_key: other.publicKey.public_key,
      key_id: other.publicKey.key_id,
    }, NOTE),
    false,
    "someone else's key",
  );
  assert.equal(await verifyCosignature({ ...cosig, signature: "not base64!" }, NOTE), false);
  assert.equal(await verifyCosignature({ ...cosig, timestamp: 1.5 }, NOTE), false);
  assert.equal(await verifyCosignature(null as never, NOTE), false, "never throws");
});
