/**
 * A small loopback stand-in for a witness (the contract's section C, `POST /add-checkpoint`), for testing the
 * server's collection without the real witness program: it checks the checkpoint's signature against the log
 * keys it is given, answers 409 `{detail, tree_size}` when `old_size` is not its latest size, 422 `split view: …`
 * when the consistency proof does not lead from its latest tree to the offered one, and otherwise cosigns with
 * its own Ed25519 key and moves its latest state forward.
 *
 * Misbehaviours for tests: `failWith` answers every request with that status; `conflictFirst` answers the first
 * request 409 with `tree_size: 0` (as after a restart elsewhere); `badSignature` returns a cosignature whose
 * signature is of another text; `delayMs` holds each answer back.
 */
import { type Checkpoint, verifyCheckpoint } from "../../domain/attestation/checkpoint.ts";
import { createCosignatureSigner } from "../../domain/attestation/cosignature.ts";
import { verifyConsistencyProof } from "../../domain/attestation/transparency_log.ts";

/** A running stand-in. */
export interface WitnessStandIn {
  url: string;
  name: string;
  publicKey: string;
  keyId: string;
  /** Every `add-checkpoint` body received. */
  requests: { old_size: number; consistency_proof: string[]; checkpoint: Checkpoint }[];
  /** Most requests it was answering at once. */
  maxInFlight: number;
  failWith: number | null;
  conflictFirst: boolean;
  badSignature: boolean;
  delayMs: number;
  /** Its latest cosigned size per origin. */
  sizeOf(origin: string): number;
  close(): Promise<void>;
}

/** Starts a stand-in on 127.0.0.1 (port 0) that witnesses the logs `logs` (origin → base64 public key). */
export async function startWitnessStandIn(opts: {
  logs: Record<string, string>;
  name?: string;
  clock?: () => number;
}): Promise<WitnessStandIn> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const name = opts.name ?? "stand-in";
  const signer = await createCosignatureSigner(pair.privateKey, raw);
  const latest = new Map<string, { size: number; root: string }>();
  const clock = opts.clock ?? (() => Date.now());
  let inFlight = 0;
  let answered = 0;
  const abort = new AbortController();
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

  const standIn: WitnessStandIn = {
    url: "",
    name,
    publicKey: signer.publicKey.public_key,
    keyId: signer.publicKey.key_id,
    requests: [],
    maxInFlight: 0,
    failWith: null,
    conflictFirst: false,
    badSignature: false,
    delayMs: 0,
    sizeOf: (origin) => latest.get(origin)?.size ?? 0,
    close: async () => {
      abort.abort();
      await server.finished;
    },
  };

  async function handle(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || path !== "/add-checkpoint") return json(404, { detail: "not found" });
    const body = await req.json().catch(() => null);
    if (!body || typeof body !== "object") return json(400, { detail: "malformed" });
    standIn.requests.push(body);
    if (standIn.delayMs > 0) await new Promise((r) => setTimeout(r, standIn.delayMs));
    if (standIn.failWith !== null) return json(standIn.failWith, { detail: "secret-body-text failure" });
    const { old_size, consistency_proof, checkpoint } = body as WitnessStandIn["requests"][number];
    const key = opts.logs[checkpoint?.origin];
    if (!key || !(await verifyCheckpoint(checkpoint, key))) {
      return json(403, { detail: "unknown log or key" });
    }
    const state = latest.get(checkpoint.origin) ?? { size: 0, root: "" };
    if (standIn.conflictFirst && answered++ === 0) return json(409, { detail: "size differs", tree_size: 0 });
    if (old_size !== state.size) return json(409, { detail: "size differs", tree_size: state.size });
    if (checkpoint.tree_size < state.size) return json(422, { detail: "split view: smaller size" });
    if (state.size > 0) {
      const ok = checkpoint.tree_size === state.size
        ? checkpoint.root_hash === state.root
        : await verifyConsistencyProof({
          first: state.size,
          second: checkpoint.tree_size,
          first_root: state.root,
          second_root: checkpoint.root_hash,
          proof: consistency_proof,
        });
      if (!ok) return json(422, { detail: "split view: not consistent" });
    }
    latest.set(checkpoint.origin, { size: checkpoint.tree_size, root: checkpoint.root_hash });
    const cosig = await signer.cosign(name, checkpoint.note, clock());
    if (standIn.badSignature) {
      const other = await signer.cosign(name, checkpoint.note + "x", cosig.timestamp);
      return json(200, { cosignature: { ...cosig, signature: other.signature } });
    }
    return json(200, { cosignature: cosig });
  }

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: abort.signal, onListen: () => {} },
    async (req) => {
      inFlight++;
      standIn.maxInFlight = Math.max(standIn.maxInFlight, inFlight);
      try {
        return await handle(req);
      } finally {
        inFlight--;
      }
    },
  );
  standIn.url = `http://127.0.0.1:${server.addr.port}`;
  return standIn;
}

/** A loopback URL where nothing listens (a port opened and closed again). */
export function deadWitnessUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}`;
}
