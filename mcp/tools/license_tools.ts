/**
 * QuantOS licence tools, the user's side (the QuantGPT document's "QuantOS License"): the same operations as
 * `/api/v1/deploy/*`. Admin decisions are not offered here. The download answers the file's content and name
 * (what the HTTP route sends as an attachment); the image tool answers the URL the HTTP route redirects to.
 */
import { z } from "zod";
import { myLicenseRequest, requestLicense } from "../../domain/licenses/license_requests.ts";
import {
  downloadLicense,
  licensePublicKey,
  myLicense,
  quantosImageUrl,
} from "../../domain/licenses/my_license.ts";
import {
  ImageDownloadQuery,
  LicenseDownloadQuery,
  LicenseRequestBody,
} from "../../routes/schemas/license.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";

const R = LicenseRequestBody.shape;

/** The licence tools. */
export const licenseTools: ToolDef[] = [
  defineTool({
    name: "request_license",
    title: "Request a QuantOS licence",
    description: "Asks for a QuantOS (self-hosted edition) licence bound to one machine: its fingerprint " +
      "comes from /deploy-kit/fingerprint.sh (Linux, macOS) or /deploy-kit/fingerprint.bat (Windows) run on " +
      "that machine. One pending request at a time (409 while one is pending). An administrator approves " +
      "(the licence is issued and the tier becomes licensed) or rejects it with a reply; either arrives as a " +
      "notification. Not idempotent: after a timeout check get_license_request before retrying.",
    input: z.strictObject({
      customer: R.customer.describe("The licensee's name (company or person), one line"),
      fingerprint: R.fingerprint.describe(
        "The machine fingerprint: 64 hexadecimal characters (SHA-256) as the fingerprint script prints it",
      ),
      note: R.note.describe("Optional note to the administrator (lines allowed), or null"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => requestLicense(ctx.deps.licenses, ctx.user().id, args),
  }),
  defineTool({
    name: "get_license_request",
    title: "My latest licence request",
    description: "My latest licence request: status pending, approved (download the licence) or rejected " +
      "(see admin_reply, then request again); `has_request: false` when I never asked.",
    input: z.strictObject({}),
    access: "user",
    hints: READ_ONLY,
    run: (ctx) => myLicenseRequest(ctx.deps.licenses, ctx.user().id),
  }),
  defineTool({
    name: "get_my_license",
    title: "My QuantOS licence",
    description: "My QuantOS licence: customer, fingerprint, expires (YYYY-MM-DD, valid through that day, " +
      "UTC), max_cores, max_memory_gb, key_id, and `expired` on today's UTC date; `has_license: false` when " +
      "I have none.",
    input: z.strictObject({}),
    access: "user",
    hints: READ_ONLY,
    run: (ctx) => myLicense(ctx.deps.licenses, ctx.user().id),
  }),
  defineTool({
    name: "download_license",
    title: "Download my licence file",
    description: "My signed licence file (Ed25519). format json (default): `license` is the license.json " +
      "object; format armored: the quantos.lic text block. `filename` is the name to save it under and " +
      "`text` the file's exact content: save `text` unchanged (verification requires the exact bytes). " +
      "Verify offline with `deno task verify-license <file>` and get_license_public_key. 404 without a licence.",
    input: z.strictObject({
      format: LicenseDownloadQuery.shape.format.describe(
        "json (license.json, default) or armored (quantos.lic text block)",
      ),
    }),
    access: "user",
    hints: READ_ONLY,
    run: async (ctx, { format }) => {
      const file = await downloadLicense(ctx.deps.licenses, ctx.user().id, format);
      return {
        filename: file.filename,
        content_type: file.contentType,
        ...(format === "json" ? { license: JSON.parse(file.text) } : {}),
        text: file.text,
      };
    },
  }),
  defineTool({
    name: "get_quantos_image_url",
    title: "Where to download the QuantOS image",
    description: "The download URL of the QuantOS Docker image for an architecture (what the HTTP route " +
      "redirects to); needs a licence valid today (403 otherwise); 404 when that architecture's image is not " +
      "configured. Load the archive with `docker load -i quantos-{arch}.tar.gz`.",
    input: z.strictObject({
      arch: ImageDownloadQuery.shape.arch.describe("amd64 (default) or arm64"),
    }),
    access: "user",
    hints: READ_ONLY,
    run: async (ctx, { arch }) => ({
      arch,
      url: await quantosImageUrl(ctx.deps.licenses, ctx.user().id, arch),
    }),
  }),
  defineTool({
    name: "get_license_public_key",
    title: "The licence-verifying public key",
    description: "The Ed25519 public key that verifies licence files: key_id, SubjectPublicKeyInfo PEM and " +
      "the raw 32 bytes in base64. No credential needed.",
    input: z.strictObject({}),
    access: "public",
    hints: READ_ONLY,
    run: (ctx) => licensePublicKey(ctx.deps.licenses),
  }),
];
