/** The service bundle of the QuantOS licence area, built in `app/services.ts`. */
import type { AuthDeps } from "../auth/auth_deps.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { LicenseRepo } from "../store/license_repo.ts";
import type { NotificationDeps } from "../support/notifications.ts";
import type { LicenseSigner } from "./license_file.ts";

/** The image architectures the self-hosted edition ships for. */
export type QuantosArch = "amd64" | "arm64";

/** What the licence operations need. */
export interface LicenseServices {
  licenses: LicenseRepo;
  /** Identity: the users whose tier an approval or an expiry changes (through `updateUser`). */
  auth: AuthDeps;
  notifications: NotificationDeps;
  /** The signing key, resolved on first use (configured, or generated once and kept in KV). */
  signer: () => Promise<LicenseSigner>;
  /** Image download URLs per architecture, with the setting that configures each (for the 404's message). */
  images: Record<QuantosArch, { url: string | undefined; setting: string }>;
  /** The `issuer` written into licence files. */
  issuer: string;
  /** Where a notified user sees their licence and their request (the front end's addresses). */
  links: { license: string; request: string };
  clock: Clock;
  log: LogFn;
}
