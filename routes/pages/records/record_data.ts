/**
 * Everything the record page shows, read through the same domain operations as the public API
 * (`routes/public_record_routes.ts`): the track record with its claimed block, the performance, a page of the
 * audit log and, when a day is selected, that day's verification bundle. Chart points are built here, on the
 * server, and handed to the page script as `pageData`; the browser only draws them.
 */
import { drawdowns } from "../../../domain/metrics/stats.ts";
import { cumulativeReturns } from "../../../domain/track_record/performance.ts";
import {
  publicAudit,
  publicPerformance,
  publicTrackRecord,
  publicVerifyDay,
} from "../../../domain/track_record/public_record.ts";
import type { TrackRecordServices } from "../../../domain/track_record/services.ts";
import { AUDIT_PER_PAGE, DAYS_PER_PAGE, type RecordSelection } from "./query.ts";

/** A chart point as `lineChart` takes it. */
export interface ChartPoint {
  time: string;
  value: number;
}

/** The track record as the API answers it. */
export type TrackRecordView = Awaited<ReturnType<typeof publicTrackRecord>>;
/** The performance as the API answers it. */
export type PerformanceView = Awaited<ReturnType<typeof publicPerformance>>;
/** A page of the audit log as the API answers it. */
export type AuditView = Awaited<ReturnType<typeof publicAudit>>;
/** One day's verification bundle as the API answers it. */
export type VerifyDayView = Awaited<ReturnType<typeof publicVerifyDay>>;

/** What the page script draws (all computed here). */
export interface RecordCharts {
  slug: string;
  name: string;
  benchmark: string;
  /** Verified NAV normalised to 1.0 at the start, and the benchmark compounded from 1.0 (unknown days as 0). */
  nav: ChartPoint[];
  benchmark_nav: ChartPoint[];
  /** Drawdown below the running peak (the initial capital is the first peak), in percent (≤ 0). */
  drawdown: ChartPoint[];
  /** Rolling excess Sharpe (the performance answer's windows; null windows left out). */
  rolling: ChartPoint[];
  /** The claimed history normalised to 1.0 at its first record; empty without one. */
  claimed: ChartPoint[];
}

/** The record page's model. */
export interface RecordModel {
  record: TrackRecordView;
  perf: PerformanceView;
  audit: AuditView;
  creator: string | null;
  status: string;
  /** The page of settled days (newest first) and where it starts. */
  days: TrackRecordView["records"];
  daysOffset: number;
  /** The selected day's bundle, or null. */
  day: VerifyDayView | null;
  charts: RecordCharts;
}

/** Chart series of a record (on the server: the browser recomputes nothing). */
function recordCharts(record: TrackRecordView, perf: PerformanceView): RecordCharts {
  const rows = record.records;
  const bench = cumulativeReturns(rows.map((r) => r.benchmark_return));
  const dd = drawdowns([1, ...rows.map((r) => r.nav)]).series;
  return {
    slug: record.strategy,
    name: record.name,
    benchmark: record.benchmark,
    nav: rows.map((r) => ({ time: r.date, value: r.nav })),
    benchmark_nav: rows.map((r, i) => ({ time: r.date, value: 1 + bench[i] })),
    drawdown: rows.map((r, i) => ({ time: r.date, value: dd[i + 1] * 100 })),
    rolling: perf.rolling_excess_sharpe.flatMap((p) =>
      p.value === null ? [] : [{ time: p.date, value: p.value }]
    ),
    claimed: (record.claimed?.records ?? []).map((p) => ({ time: p.date, value: p.nav })),
  };
}

/**
 * Loads a public record for the page; throws `NotFoundError` (the API's own) for an unknown or private slug,
 * or for a selected day that was not settled.
 */
export async function loadRecord(
  track: TrackRecordServices,
  slug: string,
  sel: RecordSelection,
): Promise<RecordModel> {
  const record = await publicTrackRecord(track, slug);
  const [perf, audit, strategy, day] = await Promise.all([
    publicPerformance(track, slug),
    publicAudit(track, slug, AUDIT_PER_PAGE, sel.audit_offset),
    track.strategies.get(slug),
    sel.day ? publicVerifyDay(track, slug, sel.day) : Promise.resolve(null),
  ]);
  const newestFirst = [...record.records].reverse();
  return {
    record,
    perf,
    audit,
    creator: strategy ? await track.nicknameOf(strategy.owner_id) : null,
    status: strategy?.status ?? "unknown",
    days: newestFirst.slice(sel.days_offset, sel.days_offset + DAYS_PER_PAGE),
    daysOffset: sel.days_offset,
    day,
    charts: recordCharts(record, perf),
  };
}
