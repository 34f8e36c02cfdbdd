import assert from "node:assert/strict";
import { sha256Hex, toHex } from "../../../domain/tokens_and_hashes.ts";
import {
  base64ToBytes,
  type Checkpoint,
  createCheckpointSigner,
  generateSigningKey,
  keyIdOf,
  noteText,
  verifyCheckpoint,
} from "../../../domain/attestation/checkpoint.ts";

const ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

async function signed(): Promise<Checkpoint> {
  const signer = await createCheckpointSigner(await generateSigningKey());
  return signer.sign("quantedge/signals", 8, ROOT, 1_704_153_600_000);
}

Deno.test("noteText() is origin, size, root and timestamp, each on its own line", () => {
  assert.equal(
    noteText("quantedge/signals", 8, ROOT, 1_704_153_600_000),
    `quantedge/signals\n8\n${ROOT}\n1704153600000\n`,
  );
});

Deno.test("sign() returns the note, an Ed25519 signature over its UTF-8 bytes, and the public key", async () => {
  const cp = await signed();
  assert.equal(cp.algorithm, "Ed25519");
  assert.equal(cp.note, noteText(cp.origin, cp.tree_size, cp.root_hash, cp.timestamp));
  const raw = base64ToBytes(cp.public_key)!;
  assert.equal(raw.length, 32);
  assert.equal(cp.key_id, (await sha256HexOfBytes(raw)).slice(0, 16));
  assert.equal(cp.key_id, await keyIdOf(raw));
  // Verified here with WebCrypto directly, independently of verifyCheckpoint().
  const key = await crypto.subtle.importKey("raw", new Uint8Array(raw), { name: "Ed25519" }, false, [
    "verify",
  ]);
  const sig = base64ToBytes(cp.signature)!;
  assert.equal(sig.length, 64);
  assert.ok(
    await crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      new Uint8Array(sig),
      new TextEncoder().encode(`quantedge/signals\n8\n${ROOT}\n1704153600000\n`),
    ),
  );
});

async function sha256HexOfBytes(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes))));
}

Deno.test("verifyCheckpoint() accepts a checkpoint as signed", async () => {
  const cp = await signed();
  assert.ok(await verifyCheckpoint(cp));
  assert.ok(await verifyCheckpoint(structuredClone(cp), cp.public_key));
});

Deno.test("verifyCheckpoint() rejects any altered field", async (t) => {
  const cp = await signed();
  const other = await signed();
  const altered: [string, Partial<Checkpoint>][] = [
    ["tree_size", { tree_size: 9 }],
    ["tree_size and note", { tree_size: 9, note: noteText(cp.origin, 9, cp.root_hash, cp.timestamp) }],
    ["root_hash", { root_hash: ROOT.replace(/^5/, "6") }],
    ["root_hash and note", {
      root_hash: await sha256Hex("x"),
      note: noteText(cp.origin, cp.tree_size, await sha256Hex("x"), cp.timestamp),
    }],
    ["timestamp", { timestamp: cp.timestamp + 1 }],
    ["origin", { origin: "someone/else" }],
    ["note only", { note: cp.note + " " }],
    ["signature", { signature: other.signature }],
    ["public key (another key's)", { public_key: other.public_key }],
    ["public key and key id (another key's)", { public_key: other.public_key, key_id: other.key_id }],
    ["key id", { key_id: "0000000000000000" }],
    ["algorithm", { algorithm: "RSA" as "Ed25519" }],
    ["garbage signature", { signature: "not base64!" }],
    ["non-integer size", { tree_size: 8.5 }],
    ["uppercase root", { root_hash: ROOT.toUpperCase() }],
  ];
  for (const [name, patch] of altered) {
    await t.step(name, async () => {
      assert.equal(await verifyCheckpoint({ ...cp, ...patch }), false);
    });
  }
});

Deno.test("verifyCheckpoint() with a trusted key rejects checkpoints signed by another key", async () => {
  const cp = await signed();
  const other = await signed();
  assert.equal(await verifyCheckpoint(cp, other.public_key), false);
});

Deno.test("createCheckpointSigner() refuses text that is not a PKCS#8 Ed25519 key", async () => {
  await assert.rejects(createCheckpointSigner("not base64!"), TypeError);
  await assert.rejects(createCheckpointSigner(btoa("short")));
});

Deno.test("a stored key signs with the same public key after reloading", async () => {
  const pkcs8 = await generateSigningKey();
  const a = await createCheckpointSigner(pkcs8);
  const b = await createCheckpointSigner(pkcs8);
  assert.deepEqual(a.publicKey, b.publicKey);
  const cp = await b.sign("o", 1, ROOT, 0);
  assert.ok(await verifyCheckpoint(cp, a.publicKey.public_key));
});
