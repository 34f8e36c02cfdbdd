/**
 * `deno task verify-license <file> [--fingerprint HEX] [--public-key FILE]` verifies a QuantOS licence file
 * (`license.json` or the armored `quantos.lic`) offline: its canonical form, its Ed25519 signature with the
 * platform's public key, its expiry (valid through the `expires` UTC day) and, with `--fingerprint`, the
 * machine it is bound to. The public key (SPKI PEM, as served at `/deploy-kit/license-public-key.pem`) is
 * `--public-key FILE`, else the file named by `$QUANTOS_LICENSE_PUBLIC_KEY`: never a key found beside the licence,
 * since whoever hands over a licence could hand over their own key with it. `--key-id` pins the key further (the
 * `key_id` published at `/api/v1/deploy/license-public-key`). Prints the trusted key's id, one line per check
 * and a verdict on stdout.
 * Exit status: 0 valid, 1 invalid (tampered, wrong key, expired, other fingerprint), 2 usage or an unreadable
 * file.
 */
import { parseArgs } from "node:util";
import { type LicenseCheck, publicKeyIdOf, verifyLicenseFile } from "../domain/licenses/license_file.ts";
import { ValidationError } from "../domain/errors.ts";

/** How to call the CLI. */
export const VERIFY_LICENSE_USAGE =
  `usage: deno task verify-license <license.json|quantos.lic> [--fingerprint HEX] [--public-key FILE] [--key-id HEX]

Verifies a QuantOS licence offline: canonical form, Ed25519 signature, expiry and (with --fingerprint) the
machine fingerprint. The platform's public key is --public-key FILE, else the file named by
$QUANTOS_LICENSE_PUBLIC_KEY (download it once from /deploy-kit/license-public-key.pem; a key that came with
the licence proves nothing). --key-id also requires that key to have this id (the key_id published at
/api/v1/deploy/license-public-key).
Exit status: 0 valid, 1 invalid, 2 usage or unreadable file.`;

/** The environment variable naming the public key file. */
const PUBLIC_KEY_ENV = "QUANTOS_LICENSE_PUBLIC_KEY";
/** Files larger than this are not licences (a real one is about 1.5 KB); read no further. */
const MAX_FILE_BYTES = 1024 * 1024;

/** What the CLI prints and its exit status. */
export interface VerifyLicenseCliResult {
  code: 0 | 1 | 2;
  stdout: string[];
  stderr: string[];
}

async function readBounded(path: string, what: string): Promise<Uint8Array | string> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return `${what} ${path} is not a file`;
    if (info.size > MAX_FILE_BYTES) return `${what} ${path} is larger than ${MAX_FILE_BYTES} bytes`;
    return await Deno.readFile(path);
  } catch (e) {
    return `cannot read ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function checkLine(c: LicenseCheck): string {
  return `${c.ok ? "ok  " : "FAIL"}  ${c.name.padEnd(11)} ${c.detail}`;
}

/**
 * Runs the CLI on `args`; `publicKeyEnv` is `$QUANTOS_LICENSE_PUBLIC_KEY` (empty or undefined: unset) and
 * `today` the UTC date the expiry is checked against.
 */
export async function runVerifyLicenseCli(
  args: string[],
  publicKeyEnv: string | undefined,
  today: string,
): Promise<VerifyLicenseCliResult> {
  const usage = (msg: string): VerifyLicenseCliResult => ({
    code: 2,
    stdout: [],
    stderr: [`verify-license: ${msg}`, VERIFY_LICENSE_USAGE],
  });
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        fingerprint: { type: "string" },
        "public-key": { type: "string" },
        "key-id": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  if (parsed.values.help) return { code: 0, stdout: [VERIFY_LICENSE_USAGE], stderr: [] };
  if (parsed.positionals.length !== 1) return usage("name exactly one licence file");
  const fingerprint = parsed.values.fingerprint?.trim();
  if (fingerprint !== undefined && !/^[0-9a-fA-F]{64}$/.test(fingerprint)) {
    return usage("--fingerprint must be 64 hex characters (the output of fingerprint.sh / fingerprint.bat)");
  }
  const pinned = parsed.values["key-id"]?.trim().toLowerCase();
  if (pinned !== undefined && !/^[0-9a-f]{16}$/.test(pinned)) {
    return usage("--key-id must be 16 hex characters (key_id of /api/v1/deploy/license-public-key)");
  }
  const file = parsed.positionals[0];
  const keyPath = parsed.values["public-key"] ?? (publicKeyEnv ? publicKeyEnv : undefined);

  const licence = await readBounded(file, "licence file");
  if (typeof licence === "string") return { code: 2, stdout: [], stderr: [`verify-license: ${licence}`] };
  if (keyPath === undefined) {
    return usage(
      `give the platform's public key with --public-key FILE or $${PUBLIC_KEY_ENV} ` +
        "(it is served at /deploy-kit/license-public-key.pem)",
    );
  }
  const key = await readBounded(keyPath, "public key");
  if (typeof key === "string") {
    return {
      code: 2,
      stdout: [],
      stderr: [
        `verify-license: ${key}`,
        `(give the key with --public-key FILE or $${PUBLIC_KEY_ENV}; it is served at /deploy-kit/license-public-key.pem)`,
      ],
    };
  }
  const pem = new TextDecoder().decode(key);
  let result, keyId;
  try {
    keyId = await publicKeyIdOf(pem);
    if (pinned !== undefined && keyId !== pinned) {
      return {
        code: 1,
        stdout: [
          `public key:   ${keyPath} (key id ${keyId})`,
          `verdict: INVALID (the key's id is not ${pinned})`,
        ],
        stderr: [],
      };
    }
    result = await verifyLicenseFile(licence, pem, { today, fingerprint });
  } catch (e) {
    if (e instanceof ValidationError) {
      return { code: 2, stdout: [], stderr: [`verify-license: ${keyPath}: ${e.message}`] };
    }
    throw e;
  }
  const p = result.payload;
  const stdout = [
    `licence file: ${file} (${result.form ?? "unrecognised"} form)`,
    `public key:   ${keyPath} (key id ${keyId})`,
    ...(p
      ? [
        `licence:      ${p.license_id} for ${
          JSON.stringify(p.customer)
        }, ${p.max_cores} cores, ${p.max_memory_gb} GB, issued ${p.issued_at} by ${p.issuer}`,
      ]
      : []),
    ...result.checks.map(checkLine),
    ...(fingerprint === undefined ? ["skip  fingerprint not checked (pass --fingerprint HEX)"] : []),
  ];
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  stdout.push(result.ok ? "verdict: VALID" : `verdict: INVALID (${failed.join(", ")})`);
  return { code: result.ok ? 0 : 1, stdout, stderr: [] };
}

if (import.meta.main) {
  const today = new Date().toISOString().slice(0, 10);
  const out = await runVerifyLicenseCli(Deno.args, Deno.env.get(PUBLIC_KEY_ENV), today);
  for (const line of out.stdout) console.log(line);
  for (const line of out.stderr) console.error(line);
  Deno.exit(out.code);
}
