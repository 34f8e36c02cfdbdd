/**
 * The sorted public list, kept once per universe filter at the list scope's current version, so every page of
 * the list (any `limit`, any `offset`) is a slice of it: a request cannot make the server rebuild the whole list
 * by choosing a new offset. At most one listing per filter is held (the universes are a closed set), replaced
 * when the list scope's version moves.
 */
import type { TrackRecordServices } from "../track_record/services.ts";
import { type PublicListing, publicListing } from "../track_record/public_record.ts";
import type { PublicVersionsRepo } from "../store/public_versions_repo.ts";
import type { TrackedUniverse } from "../store/tracked_strategy_repo.ts";
import { LIST_SCOPE } from "./scopes.ts";

/** The current sorted public list of each universe filter. */
export interface PublicListings {
  /**
   * The listing of `universe` (all when absent) as of now: one read of the list scope's version, and the list's
   * range reads only when that version moved since the held listing was read.
   */
  current(universe?: TrackedUniverse): Promise<PublicListing>;
}

/** Creates the holder (one per app). */
export function createPublicListings(
  deps: TrackRecordServices,
  versions: Pick<PublicVersionsRepo, "token">,
): PublicListings {
  const held = new Map<string, { token: string; listing: Promise<PublicListing> }>();
  return {
    async current(universe) {
      // The version is read before the list, so the held list is never older than the version it is held at.
      const token = await versions.token([LIST_SCOPE]);
      const filter = universe ?? "*";
      const entry = held.get(filter);
      if (entry && entry.token === token) return await entry.listing;
      const listing = publicListing(deps, universe);
      held.set(filter, { token, listing });
      listing.catch(() => {
        if (held.get(filter)?.listing === listing) held.delete(filter);
      });
      return await listing;
    },
  };
}
