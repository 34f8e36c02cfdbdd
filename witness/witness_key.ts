/**
 * The witness's Ed25519 key: the configured one (`WITNESS_SIGNING_KEY`, PKCS#8 base64) or, without one, a key
 * generated on first start and kept in the witness's own store, so a restart on the same store keeps its
 * identity. Only the public half ever leaves this module.
 */
import {
  base64ToBytes,
  createCheckpointSigner,
  generateSigningKey,
} from "../domain/attestation/checkpoint.ts";
import { type CosignatureSigner, createCosignatureSigner } from "../domain/attestation/cosignature.ts";
import type { WitnessStore } from "./witness_store.ts";

/**
 * The cosigner of the witness: `configured` (PKCS#8 base64) when given, else the key in `store` (generated and
 * stored on first use). Throws `TypeError` when the key is not a base64 PKCS#8 Ed25519 private key (the
 * message never contains the key).
 */
export async function loadWitnessSigner(
  store: WitnessStore,
  configured?: string,
): Promise<CosignatureSigner> {
  const pkcs8Base64 = configured ?? await store.signingKey(await generateSigningKey());
  // createCheckpointSigner validates the key and derives its raw public half.
  const { publicKey } = await createCheckpointSigner(pkcs8Base64).catch(() => {
    throw new TypeError("The witness signing key is not a base64 PKCS#8 Ed25519 private key");
  });
  const privateKey = await crypto.subtle.importKey(
    "pkcs8",
    new Uint8Array(base64ToBytes(pkcs8Base64)!),
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return createCosignatureSigner(privateKey, base64ToBytes(publicKey.public_key)!);
}
