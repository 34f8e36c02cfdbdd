/**
 * The body of `POST /add-checkpoint`, checked strictly: `{old_size, consistency_proof, checkpoint}` where
 * `old_size` is the size the caller believes the witness last cosigned (0 before any), `consistency_proof` the
 * RFC 6962 proof from that size to the checkpoint's (lowercase hex hashes, at most `MAX_PROOF_HASHES`), and
 * `checkpoint` a signed checkpoint as the log publishes it. Unknown keys are refused, except the `cosignatures`
 * and `github` fields the log serves beside every checkpoint, which are accepted and ignored.
 */
import { z } from "zod";
import { type Checkpoint, signedCheckpoint } from "../domain/attestation/checkpoint.ts";
import { MAX_ORIGIN_LENGTH } from "./witness_logs.ts";

/** Most hashes a consistency proof may list (a proof in a tree of 2^63 leaves has fewer). */
const MAX_PROOF_HASHES = 64;

const HASH = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** No control character except the note's own line feeds. */
// deno-lint-ignore no-control-regex
const NO_CONTROL = /^[^\x00-\x1f\x7f]*$/;
// deno-lint-ignore no-control-regex
const NOTE_TEXT = /^[^\x00-\x09\x0b-\x1f\x7f]*$/;

const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const CheckpointBody = z.strictObject({
  origin: z.string().min(1).max(MAX_ORIGIN_LENGTH).regex(NO_CONTROL, "must not contain control characters"),
  tree_size: Count,
  root_hash: z.string().regex(HASH, "must be 64 lowercase hex digits"),
  timestamp: Count,
  note: z.string().max(2 * MAX_ORIGIN_LENGTH + 128).regex(NOTE_TEXT, "must not contain control characters"),
  signature: z.string().max(128).regex(BASE64, "must be base64"),
  algorithm: z.literal("Ed25519"),
  public_key: z.string().max(64).regex(BASE64, "must be base64"),
  key_id: z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lowercase hex digits"),
  cosignatures: z.array(z.unknown()).max(64).optional(),
  github: z.unknown().optional(),
});

const AddCheckpointBody = z.strictObject({
  old_size: Count,
  consistency_proof: z.array(z.string().regex(HASH, "must be 64 lowercase hex digits")).max(
    MAX_PROOF_HASHES,
    `at most ${MAX_PROOF_HASHES} hashes`,
  ),
  checkpoint: CheckpointBody,
});

/** A checked request. */
export interface AddCheckpointRequest {
  old_size: number;
  consistency_proof: string[];
  /** The checkpoint's own fields only (anything served beside them dropped). */
  checkpoint: Checkpoint;
}

/** The request in `body`, or a one-line reason it is malformed (naming the field). */
export function parseAddCheckpoint(body: unknown): { ok: true; request: AddCheckpointRequest } | {
  ok: false;
  detail: string;
} {
  const parsed = AddCheckpointBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "body";
    const detail = `Malformed add-checkpoint request: ${where}: ${issue.message}`;
    return { ok: false, detail: detail.slice(0, 300) };
  }
  const { checkpoint: c, old_size, consistency_proof } = parsed.data;
  return {
    ok: true,
    request: { old_size, consistency_proof, checkpoint: signedCheckpoint(c as Checkpoint) },
  };
}
