/** What the multi-factor portfolio operations are built from (issue 15). */
import type { FactorServices } from "../factors/services.ts";
import type { PortfolioRepo } from "../store/portfolio_repo.ts";
import type { TrackRecordServices } from "../track_record/services.ts";

/**
 * Services of the portfolio area: its repository, the factor area and the track record it publishes through.
 * Activation creates the `mf-…` tracked strategy within the caller's tier limit (the operation takes the
 * caller as a track-record `Actor`, like `createTrackedStrategyView`).
 */
export interface PortfolioServices {
  portfolios: PortfolioRepo;
  factors: FactorServices;
  /** Signals go through `submitSignal` of the track record like any user's. */
  track: TrackRecordServices;
}
