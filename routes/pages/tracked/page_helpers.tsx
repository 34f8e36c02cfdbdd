/** Small helpers shared by the tracked-strategy, factor and portfolio pages: the page size, badges, not-found. */
import { NotFoundError } from "../../../domain/errors.ts";

/** Rows per table page. */
export const PAGE_ROWS = 100;

const BADGE: Record<string, string> = {
  active: "good",
  ready: "good",
  paused: "warn",
  validating: "warn",
  pending: "warn",
  draft: "",
  retired: "bad",
  rejected: "bad",
  deleted: "bad",
};

/** A status as a badge (`active` green, `paused` amber, `retired`/`rejected` red). */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge ${BADGE[props.status] ?? ""}`.trim()}>{props.status}</span>;
}

/** `fn()`, or `null` when it throws `NotFoundError` (unknown, someone else's or absent). */
export async function orNotFound<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}
