/**
 * QuantOS licence files (document 002 "QuantOS License"): an Ed25519-signed (WebCrypto, no dependency)
 * canonical payload, rendered as an armored text block and as `license.json`, verifiable offline with the
 * public key.
 *
 * The payload bytes are the compact JSON of `LicensePayload` in its declared key order (UTF-8, no spaces, no
 * final newline). The armored block is
 *
 * ```
 * -----BEGIN QUANTOS LICENSE-----
 * Format: quantos-license-v1
 * Key-Id: <16 hex>
 * License-Id: <id>
 * Customer: <the customer as a JSON string, every non-ASCII character as \uXXXX>
 * Fingerprint: <64 hex>
 * Expires: <YYYY-MM-DD>
 * Max-Cores: <int>
 * Max-Memory-GB: <int>
 *
 * <standard padded base64 of the payload bytes, 64 columns a line>
 * =<standard padded base64 of the 64-byte Ed25519 signature over the payload bytes>
 * -----END QUANTOS LICENSE-----
 * ```
 *
 * with `\n` line endings and a final newline. The JSON form is `JSON.stringify({...payload, signature,
 * armored}, null, 2)` plus a newline. Verifying decodes the file, checks the signature, re-renders the whole
 * file from what it decoded and requires byte equality, so any changed byte (a header, whitespace, CRLF line
 * endings, a BOM, base64 padding bits, JSON spacing) fails.
 */
import { ValidationError } from "../errors.ts";
import { toHex } from "../tokens_and_hashes.ts";

/** The payload format tag. */
export const LICENSE_FORMAT = "quantos-license-v1";

/** The signed licence fields (canonical JSON in exactly this key order). */
export interface LicensePayload {
  format: "quantos-license-v1";
  license_id: string;
  customer: string;
  /** 64 lower-case hex. */
  fingerprint: string;
  /** YYYY-MM-DD, valid through the end of that UTC day. */
  expires: string;
  max_cores: number;
  max_memory_gb: number;
  /** ISO-8601 UTC instant. */
  issued_at: string;
  issuer: string;
  key_id: string;
}

/** An Ed25519 private key ready to sign licence payloads. */
export interface LicenseSigner {
  keyId: string;
  publicKeyPem: string;
  publicKeyRaw: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** One named verification step and its outcome. */
export interface LicenseCheck {
  name: "format" | "signature" | "expiry" | "fingerprint";
  ok: boolean;
  detail: string;
}

/** The outcome of `verifyLicenseFile`. */
export interface LicenseVerification {
  ok: boolean;
  /** The decoded payload when its signature verified with the given key (even if expired), else `null`. */
  payload: LicensePayload | null;
  /** Which form the text was read as (`null`: neither could be recognised). */
  form: "armored" | "json" | null;
  checks: LicenseCheck[];
}

const BEGIN = "-----BEGIN QUANTOS LICENSE-----";
const END = "-----END QUANTOS LICENSE-----";
const PEM_BEGIN = "-----BEGIN PUBLIC KEY-----";
const PEM_END = "-----END PUBLIC KEY-----";
const WRAP = 64;
/** Payload keys in canonical order. */
const PAYLOAD_KEYS = [
  "format",
  "license_id",
  "customer",
  "fingerprint",
  "expires",
  "max_cores",
  "max_memory_gb",
  "issued_at",
  "issuer",
  "key_id",
] as const satisfies readonly (keyof LicensePayload)[];
const JSON_KEYS = [...PAYLOAD_KEYS, "signature", "armored"] as const;
/** Longest licence file read (a real one is about 1.5 KB): bounds the work on hostile input. */
const MAX_LICENSE_CHARS = 64 * 1024;
const MAX_TEXT_FIELD = 200;
const ED25519 = { name: "Ed25519" } as const;

// ---- base64 and PEM ----

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Strict standard padded base64 → bytes; `null` when malformed (non-canonical bits are caught by re-rendering). */
function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function wrap(text: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += WRAP) lines.push(text.slice(i, i + WRAP));
  return lines;
}

function spkiToPem(spki: Uint8Array): string {
  return [PEM_BEGIN, ...wrap(toBase64(spki)), PEM_END, ""].join("\n");
}

/** Ed25519 public key from SPKI PEM text; throws `ValidationError` when it is not one. */
async function importPublicKeyPem(pem: string): Promise<CryptoKey> {
  const body = pem.replace(/\r\n/g, "\n").trim();
  const lines = body.split("\n").map((l) => l.trim());
  if (lines.length < 3 || lines[0] !== PEM_BEGIN || lines[lines.length - 1] !== PEM_END) {
    throw new ValidationError(`the public key is not a PEM "PUBLIC KEY" block`, ["public_key"]);
  }
  const der = fromBase64(lines.slice(1, -1).join(""));
  if (der === null) throw new ValidationError("the public key's PEM body is not base64", ["public_key"]);
  try {
    return await crypto.subtle.importKey("spki", der, ED25519, true, ["verify"]);
  } catch {
    throw new ValidationError("the public key is not an Ed25519 SPKI key", ["public_key"]);
  }
}

/** `key_id` of a raw 32-byte Ed25519 public key: the first 16 hex characters of its SHA-256. */
async function keyIdOf(raw: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", raw))).slice(0, 16);
}

// ---- keys ----

/** PKCS#8 bytes of a new Ed25519 key. */
export async function generateSigningKey(): Promise<Uint8Array> {
  const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]) as CryptoKeyPair;
  return new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
}

/**
 * A signer for a PKCS#8 Ed25519 private key; key_id = first 16 hex chars of SHA-256(raw public key).
 * Throws `ValidationError` when the bytes are not an Ed25519 PKCS#8 key.
 */
export async function createLicenseSigner(pkcs8: Uint8Array): Promise<LicenseSigner> {
  let privateKey: CryptoKey;
  let x: string | undefined;
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", new Uint8Array(pkcs8), ED25519, true, ["sign"]);
    x = (await crypto.subtle.exportKey("jwk", privateKey)).x;
  } catch {
    throw new ValidationError("the licence signing key is not an Ed25519 PKCS#8 key", ["signing_key"]);
  }
  if (x === undefined) {
    throw new ValidationError("the licence signing key has no public half", ["signing_key"]);
  }
  const publicKeyRaw = fromBase64Url(x);
  const publicKey = await crypto.subtle.importKey("raw", publicKeyRaw, ED25519, true, ["verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
  return {
    keyId: await keyIdOf(publicKeyRaw),
    publicKeyPem: spkiToPem(spki),
    publicKeyRaw,
    sign: async (data) => new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, new Uint8Array(data))),
  };
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}

// ---- payload rules ----

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** C0 controls, DEL and C1 controls: they would make the armored header unreadable. */
// deno-lint-ignore no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

function isCalendarDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function isInstant(s: string): boolean {
  return INSTANT_RE.test(s) && !Number.isNaN(new Date(s).getTime()) && isCalendarDate(s.slice(0, 10));
}

function textProblem(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.trim() === "" || value.trim() !== value) {
    return "must be non-empty with no leading or trailing spaces";
  }
  if (value.length > MAX_TEXT_FIELD) return `must be at most ${MAX_TEXT_FIELD} characters`;
  if (!value.isWellFormed()) return "must be well-formed Unicode";
  if (CONTROL_RE.test(value)) return "must not contain control characters";
  return null;
}

/** Every problem of a payload's fields, as `[field, message]` (empty: valid). Key order is not checked here. */
function payloadProblems(p: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  const add = (field: string, msg: string | null) => msg !== null && problems.push([field, msg]);
  add("format", p.format === LICENSE_FORMAT ? null : `must be "${LICENSE_FORMAT}"`);
  add(
    "license_id",
    typeof p.license_id === "string" && ID_RE.test(p.license_id)
      ? null
      : "must be 1–128 of A-Z a-z 0-9 _ . : - (starting with a letter or digit)",
  );
  add("customer", textProblem(p.customer));
  add(
    "fingerprint",
    typeof p.fingerprint === "string" && /^[0-9a-f]{64}$/.test(p.fingerprint)
      ? null
      : "must be 64 lower-case hex characters",
  );
  add(
    "expires",
    typeof p.expires === "string" && isCalendarDate(p.expires) ? null : "must be a date YYYY-MM-DD",
  );
  for (const f of ["max_cores", "max_memory_gb"] as const) {
    const v = p[f];
    add(f, typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? null : "must be a positive integer");
  }
  add(
    "issued_at",
    typeof p.issued_at === "string" && isInstant(p.issued_at) ? null : "must be an ISO-8601 UTC instant (…Z)",
  );
  add("issuer", textProblem(p.issuer));
  add(
    "key_id",
    typeof p.key_id === "string" && /^[0-9a-f]{16}$/.test(p.key_id)
      ? null
      : "must be 16 lower-case hex characters",
  );
  return problems;
}

/** The payload with its keys in canonical order (copies only the known keys). */
function canonicalPayload(p: LicensePayload): LicensePayload {
  return Object.fromEntries(PAYLOAD_KEYS.map((k) => [k, p[k]])) as unknown as LicensePayload;
}

function payloadBytes(p: LicensePayload): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(canonicalPayload(p)));
}

/** The customer as a JSON string with every non-ASCII UTF-16 unit escaped, so the header is pure ASCII. */
function customerHeader(customer: string): string {
  return JSON.stringify(customer).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function headerLines(p: LicensePayload): string[] {
  return [
    `Format: ${p.format}`,
    `Key-Id: ${p.key_id}`,
    `License-Id: ${p.license_id}`,
    `Customer: ${customerHeader(p.customer)}`,
    `Fingerprint: ${p.fingerprint}`,
    `Expires: ${p.expires}`,
    `Max-Cores: ${p.max_cores}`,
    `Max-Memory-GB: ${p.max_memory_gb}`,
  ];
}

function renderArmored(p: LicensePayload, signature: Uint8Array): string {
  return [
    BEGIN,
    ...headerLines(p),
    "",
    ...wrap(toBase64(payloadBytes(p))),
    `=${toBase64(signature)}`,
    END,
    "",
  ].join("\n");
}

function renderJson(p: LicensePayload, signature: Uint8Array): string {
  const doc = {
    ...canonicalPayload(p),
    signature: toBase64(signature),
    armored: renderArmored(p, signature),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

// ---- issuing ----

/**
 * Signs `fields` and renders both forms of the licence file. The fingerprint is lower-cased; every field is
 * checked first (`ValidationError` with the field's name as `loc`), so an issued file always verifies.
 */
export async function issueLicenseFile(
  fields: Omit<LicensePayload, "format" | "key_id">,
  signer: LicenseSigner,
): Promise<{ payload: LicensePayload; armored: string; json: string }> {
  const payload = canonicalPayload({
    ...fields,
    fingerprint: typeof fields.fingerprint === "string"
      ? fields.fingerprint.toLowerCase()
      : fields.fingerprint,
    format: LICENSE_FORMAT,
    key_id: signer.keyId,
  });
  const problems = payloadProblems(payload as unknown as Record<string, unknown>);
  if (problems.length > 0) {
    const [field, msg] = problems[0];
    throw new ValidationError(
      `licence ${field} ${msg}`,
      [field],
      "value_error",
      problems.map(([f, m]) => ({
        type: "value_error",
        loc: [f],
        msg: `licence ${f} ${m}`,
      })),
    );
  }
  const signature = await signer.sign(payloadBytes(payload));
  return { payload, armored: renderArmored(payload, signature), json: renderJson(payload, signature) };
}

// ---- verifying ----

interface Decoded {
  payload: LicensePayload;
  bytes: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

type DecodeResult = { decoded: Decoded; problem: null } | { decoded: Decoded | null; problem: string };

/** Reads the armored block's payload and signature; `problem` says what is not canonical about it. */
function decodeArmored(text: string): DecodeResult {
  if (text.includes("\r")) {
    return { decoded: null, problem: "the file has CR (CRLF) line endings; a licence file uses LF only" };
  }
  const lines = text.split("\n");
  if (lines[0] !== BEGIN) return { decoded: null, problem: `the first line is not "${BEGIN}"` };
  const blank = lines.indexOf("");
  const sigAt = lines.findIndex((l, i) => i > blank && l.startsWith("="));
  if (blank < 1 || sigAt < 0) {
    return {
      decoded: null,
      problem: "no blank line after the headers or no =signature line after the payload",
    };
  }
  const bytes = fromBase64(lines.slice(blank + 1, sigAt).join(""));
  if (bytes === null) return { decoded: null, problem: "the payload is not standard base64" };
  const signature = fromBase64(lines[sigAt].slice(1));
  if (signature === null || signature.length !== 64) {
    return { decoded: null, problem: "the signature line is not a base64 64-byte Ed25519 signature" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return { decoded: null, problem: "the payload is not UTF-8 JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { decoded: null, problem: "the payload is not a JSON object" };
  }
  const record = parsed as Record<string, unknown>;
  const extra = Object.keys(record).filter((k) => !(PAYLOAD_KEYS as readonly string[]).includes(k));
  if (extra.length > 0) {
    return { decoded: null, problem: `the payload has unknown fields: ${extra.join(", ")}` };
  }
  const problems = payloadProblems(record);
  if (problems.length > 0) {
    return {
      decoded: null,
      problem: `the payload is not a valid ${LICENSE_FORMAT} payload: ${
        problems.map(([f, m]) => `${f} ${m}`).join("; ")
      }`,
    };
  }
  const decoded: Decoded = { payload: record as unknown as LicensePayload, bytes, signature };
  const headers = headerLines(decoded.payload);
  const given = lines.slice(1, blank);
  for (let i = 0; i < Math.max(headers.length, given.length); i++) {
    if (headers[i] !== given[i]) {
      const name = (headers[i] ?? given[i]).split(":")[0];
      return { decoded, problem: `header line ${i + 2} (${name}) does not match the signed payload` };
    }
  }
  if (renderArmored(decoded.payload, signature) !== text) {
    return {
      decoded,
      problem:
        "the file is not in canonical form (payload bytes, base64, line wrapping or the lines around it " +
        "differ from the canonical rendering)",
    };
  }
  return { decoded, problem: null };
}

/** Reads the JSON form: its `armored` block, then the whole text against its canonical rendering. */
function decodeJson(text: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { decoded: null, problem: "the file is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { decoded: null, problem: "the JSON is not an object" };
  }
  const doc = parsed as Record<string, unknown>;
  const keys = Object.keys(doc);
  if (keys.length !== JSON_KEYS.length || keys.some((k, i) => k !== JSON_KEYS[i])) {
    return { decoded: null, problem: `the JSON's fields must be exactly, in order: ${JSON_KEYS.join(", ")}` };
  }
  if (typeof doc.armored !== "string") {
    return { decoded: null, problem: "the JSON's armored field is not a string" };
  }
  const inner = decodeArmored(doc.armored);
  if (inner.decoded === null) return { decoded: null, problem: `the JSON's armored block: ${inner.problem}` };
  const { payload, signature } = inner.decoded;
  if (inner.problem !== null) {
    return { decoded: inner.decoded, problem: `the JSON's armored block: ${inner.problem}` };
  }
  const differing = PAYLOAD_KEYS.filter((k) => doc[k] !== payload[k]);
  if (differing.length > 0) {
    return {
      decoded: inner.decoded,
      problem: `the JSON's ${differing.join(", ")} differ from the signed payload`,
    };
  }
  if (doc.signature !== toBase64(signature)) {
    return { decoded: inner.decoded, problem: "the JSON's signature differs from the armored block's" };
  }
  if (renderJson(payload, signature) !== text) {
    return {
      decoded: inner.decoded,
      problem: "the JSON is not in canonical form (2-space indent, fixed key order, one final newline)",
    };
  }
  return { decoded: inner.decoded, problem: null };
}

/** Strict UTF-8 (a byte-order mark is kept, so it fails like any other changed byte); `null` when invalid. */
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** The `key_id` of an Ed25519 public key given as SPKI PEM (what a licence signed by it names). */
export async function publicKeyIdOf(publicKeyPem: string): Promise<string> {
  const key = await importPublicKeyPem(publicKeyPem);
  return await keyIdOf(new Uint8Array(await crypto.subtle.exportKey("raw", key)));
}

/**
 * Verifies either form of a licence file (text, or the file's bytes read as strict UTF-8) against an Ed25519
 * public key (SPKI PEM). Checks, in order: `format` (decodes, header lines equal the payload, byte-equal to
 * the canonical rendering; LF line endings only), `signature` (Ed25519 over the payload bytes with this key),
 * `expiry` (`today` ≤ `expires`: valid through that UTC day) and, when `fingerprint` is given, `fingerprint`
 * (case-insensitive equality of 64 hex). `ok` is true when every check passed. Throws `ValidationError` when the
 * public key is not an Ed25519 SPKI PEM or `today` is not a date.
 */
export async function verifyLicenseFile(
  text: string | Uint8Array,
  publicKeyPem: string,
  opts: { today: string; fingerprint?: string },
): Promise<LicenseVerification> {
  if (!isCalendarDate(opts.today)) throw new ValidationError("today must be a date YYYY-MM-DD", ["today"]);
  const key = await importPublicKeyPem(publicKeyPem);
  const keyId = await keyIdOf(new Uint8Array(await crypto.subtle.exportKey("raw", key)));
  const str = typeof text === "string" ? text : decodeUtf8(text);
  let form: LicenseVerification["form"] = null;
  let result: DecodeResult;
  if (str === null) result = { decoded: null, problem: "the file is not valid UTF-8" };
  else if (str.length > MAX_LICENSE_CHARS) {
    result = { decoded: null, problem: `the file is longer than ${MAX_LICENSE_CHARS} characters` };
  } else if (str.startsWith(BEGIN)) [form, result] = ["armored", decodeArmored(str)];
  else if (str.startsWith("{")) [form, result] = ["json", decodeJson(str)];
  else {result = {
      decoded: null,
      problem: `the file is neither an armored block (${BEGIN}) nor license.json`,
    };}

  const checks: LicenseCheck[] = [{
    name: "format",
    ok: result.problem === null,
    detail: result.problem ?? `canonical ${form} ${LICENSE_FORMAT} file`,
  }];
  const decoded = result.decoded;
  if (decoded === null) {
    const skipped = "not checked: the licence could not be decoded";
    checks.push({ name: "signature", ok: false, detail: skipped }, {
      name: "expiry",
      ok: false,
      detail: skipped,
    });
    if (opts.fingerprint !== undefined) checks.push({ name: "fingerprint", ok: false, detail: skipped });
    return { ok: false, payload: null, form, checks };
  }
  const { payload } = decoded;
  const signed = await crypto.subtle.verify(ED25519, key, decoded.signature, decoded.bytes);
  checks.push({
    name: "signature",
    ok: signed,
    detail: signed
      ? `Ed25519 signature valid for key ${keyId}`
      : payload.key_id === keyId
      ? `Ed25519 signature does not match the payload (key ${keyId})`
      : `Ed25519 signature not valid for key ${keyId} (the licence names key ${payload.key_id})`,
  });
  const current = opts.today <= payload.expires;
  checks.push({
    name: "expiry",
    ok: current,
    detail: current
      ? `valid through ${payload.expires} (UTC); today is ${opts.today}`
      : `expired: valid through ${payload.expires} (UTC); today is ${opts.today}`,
  });
  if (opts.fingerprint !== undefined) {
    const given = opts.fingerprint.trim().toLowerCase();
    const ok = /^[0-9a-f]{64}$/.test(given) && given === payload.fingerprint;
    checks.push({
      name: "fingerprint",
      ok,
      detail: ok
        ? `matches this machine (${payload.fingerprint})`
        : !/^[0-9a-f]{64}$/.test(given)
        ? "the fingerprint given is not 64 hex characters"
        : `licensed for ${payload.fingerprint}, not ${given}`,
    });
  }
  return { ok: checks.every((c) => c.ok), payload: signed ? payload : null, form, checks };
}
