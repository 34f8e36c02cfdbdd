/**
 * The addresses the HTTP front end publishes, handed to the domain (by the house) where it writes a link into
 * a record or an answer: a notification's link, the verification steps. The domain itself names no URL.
 */
import type { TrackRecordLinks } from "../domain/track_record/services.ts";

/** Public track-record addresses under `/api/v1`. */
export const trackRecordLinks: TrackRecordLinks = {
  publicRecord: (slug) => `/api/v1/public/strategies/${encodeURIComponent(slug)}/track-record`,
  logCheckpoint: (log) => `/api/v1/public/log/checkpoint${log === "demo" ? "?log=demo" : ""}`,
};
