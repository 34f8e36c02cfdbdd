/** Request and response schemas of the QuantOS licence routes (document 002 "QuantOS License"). */
import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../domain/calendar/dates.ts";
import { LICENSE_FORMAT } from "../../domain/licenses/license_file.ts";
import {
  MAX_CUSTOMER_CHARS,
  MAX_LICENSE_CORES,
  MAX_LICENSE_MEMORY_GB,
  MAX_NOTE_CHARS,
} from "../../domain/licenses/license_requests.ts";
import { PageQuery, safeText } from "./common.ts";

const FINGERPRINT_EXAMPLE = "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";

/** `POST /deploy/license-request`. */
export const LicenseRequestBody = z.strictObject({
  customer: safeText({ min: 1, max: MAX_CUSTOMER_CHARS }).openapi({ example: "Acme Corp" }),
  fingerprint: z.string().regex(/^[0-9a-fA-F]{64}$/, "Expected 64 hexadecimal characters (SHA-256)").openapi({
    description: "The machine fingerprint printed by /deploy-kit/fingerprint.sh or .bat (stored lower-case)",
    example: FINGERPRINT_EXAMPLE,
  }),
  note: safeText({ max: MAX_NOTE_CHARS, multiline: true }).nullable().optional().openapi({
    example: "optional",
  }),
}).openapi("LicenseRequestBody");

const RequestStatus = z.enum(["pending", "approved", "rejected"]);

/** The 201 answer of a new request. */
export const CreatedLicenseRequestSchema = z.object({
  id: z.string(),
  customer: z.string(),
  fingerprint: z.string(),
  status: z.literal("pending"),
  note: z.string().nullable(),
  created_at: z.string(),
}).openapi("CreatedLicenseRequest");

const requestFields = {
  id: z.string(),
  customer: z.string(),
  fingerprint: z.string(),
  note: z.string().nullable(),
  status: RequestStatus,
  admin_reply: z.string().nullable(),
  created_at: z.string(),
  decided_at: z.string().nullable(),
};

/** `GET /deploy/license-request`: my latest request, or none. */
export const MyLicenseRequestSchema = z.union([
  z.object({ has_request: z.literal(true), ...requestFields }),
  z.object({ has_request: z.literal(false) }),
]).openapi("MyLicenseRequest");

/** A request as admins see it. */
export const AdminLicenseRequestSchema = z.object({ ...requestFields, user_id: z.string() }).openapi(
  "AdminLicenseRequest",
);

/** `GET /admin/license-requests`. */
export const AdminLicenseRequestListSchema = z.object({
  requests: z.array(AdminLicenseRequestSchema),
  total: z.number().int(),
}).openapi("AdminLicenseRequestList");

/** `?status=&limit=&offset=` of the admin list. */
export const AdminLicenseRequestQuery = PageQuery.extend({ status: RequestStatus.optional() });

/** A licence as its holder sees it. */
const LicenseSchema = z.object({
  has_license: z.literal(true),
  id: z.string(),
  customer: z.string(),
  fingerprint: z.string(),
  expires: z.string().openapi({ description: "YYYY-MM-DD; valid through the end of that day, UTC" }),
  max_cores: z.number().int(),
  max_memory_gb: z.number().int(),
  created_at: z.string(),
  expired: z.boolean(),
  key_id: z.string().openapi({
    description: "Id of the signing key (first 16 hex of SHA-256 of the raw key)",
  }),
}).openapi("License");

/** `GET /deploy/my-license`. */
export const MyLicenseSchema = z.union([LicenseSchema, z.object({ has_license: z.literal(false) })]).openapi(
  "MyLicense",
);

/** `GET /deploy/my-license/download` (`license.json`): the signed payload's fields, the signature, the block. */
export const LicenseFileSchema = z.object({
  format: z.literal(LICENSE_FORMAT),
  license_id: z.string(),
  customer: z.string(),
  fingerprint: z.string(),
  expires: z.string(),
  max_cores: z.number().int(),
  max_memory_gb: z.number().int(),
  issued_at: z.string(),
  issuer: z.string(),
  key_id: z.string(),
  signature: z.string().openapi({ description: "Ed25519 signature of the payload bytes, base64" }),
  armored: z.string().openapi({ description: "The same licence as an armored text block" }),
}).openapi("LicenseFile");

/** `?format=` of the download. */
export const LicenseDownloadQuery = z.object({
  format: z.enum(["json", "armored"]).default("json").openapi({
    description: "`json` (license.json, default) or `armored` (quantos.lic text block)",
  }),
});

/** `?arch=` of the image download. */
export const ImageDownloadQuery = z.object({
  arch: z.enum(["amd64", "arm64"]).default("amd64").openapi({ example: "amd64" }),
});

/** `GET /deploy/license-public-key`. */
export const LicensePublicKeySchema = z.object({
  algorithm: z.literal("Ed25519"),
  key_id: z.string(),
  public_key_pem: z.string().openapi({ description: "SubjectPublicKeyInfo PEM" }),
  public_key_base64: z.string().openapi({ description: "The raw 32-byte public key, base64" }),
}).openapi("LicensePublicKey");

/** `{id}` of an admin decision. */
export const LicenseRequestIdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "lr_01HZX…" }),
});

/** `POST /admin/license-requests/{id}/approve`. */
export const ApproveLicenseBody = z.strictObject({
  expires: z.string().refine(isIsoDate, "Expected a real date YYYY-MM-DD").openapi({
    description: "After today (UTC); the licence is valid through the end of that day, UTC",
    example: "2027-05-14",
  }),
  max_cores: z.number().int().min(1).max(MAX_LICENSE_CORES).openapi({ example: 16 }),
  max_memory_gb: z.number().int().min(1).max(MAX_LICENSE_MEMORY_GB).openapi({ example: 64 }),
  reply: safeText({ max: MAX_NOTE_CHARS, multiline: true }).nullable().optional(),
}).openapi("ApproveLicenseBody");

/** `POST /admin/license-requests/{id}/reject`. */
export const RejectLicenseBody = z.strictObject({
  reply: safeText({ min: 1, max: MAX_NOTE_CHARS, multiline: true }).openapi({
    example: "The fingerprint does not match the machine named in your order",
  }),
}).openapi("RejectLicenseBody");

/** The 200 answer of an approval. */
export const ApprovedLicenseSchema = z.object({
  request: AdminLicenseRequestSchema,
  license: LicenseSchema,
}).openapi("ApprovedLicense");

/** The `license-expiry` job's summary. */
export const LicenseExpirySummarySchema = z.object({
  date: z.string(),
  expired: z.number().int(),
  downgraded: z.number().int(),
}).openapi("LicenseExpirySummary", { description: "license-expiry" });
