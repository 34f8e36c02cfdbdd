// Chart helpers over TradingView Lightweight Charts (served by this app from its npm package).
import {
  AreaSeries,
  createChart,
  HistogramSeries,
  LineSeries,
} from "/app/assets/vendor/lightweight-charts.mjs";

/** Colours of successive series (contrast ≥ 3:1 on white). */
export const SERIES_COLOURS = ["#1f5fbf", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0f766e"];

function baseChart(el, height) {
  el.classList.add("chart");
  return createChart(el, {
    autoSize: true,
    height,
    layout: { background: { color: "#ffffff" }, textColor: "#1f2933", attributionLogo: true },
    grid: { vertLines: { color: "#eef1f4" }, horzLines: { color: "#eef1f4" } },
    rightPriceScale: { borderColor: "#cbd2d9" },
    timeScale: { borderColor: "#cbd2d9" },
  });
}

/** Points `{time: "YYYY-MM-DD", value}` sorted by time, without nulls or duplicate times. */
export function cleanPoints(points) {
  const seen = new Set();
  return points
    .filter((p) => p && p.time && Number.isFinite(Number(p.value)))
    .map((p) => ({ time: String(p.time).slice(0, 10), value: Number(p.value) }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
    .filter((p) => (seen.has(p.time) ? false : (seen.add(p.time), true)));
}

/**
 * A line chart of several series: `lineChart(el, [{ name: "Strategy", points: [{time, value}] }, …])`.
 * Adds a legend (names and colours) after the chart. Answers the chart.
 */
export function lineChart(el, series, opts = {}) {
  const chart = baseChart(el, opts.height ?? 320);
  series.forEach((s, i) => {
    const line = chart.addSeries(LineSeries, {
      color: s.color ?? SERIES_COLOURS[i % SERIES_COLOURS.length],
      lineWidth: 2,
      title: s.name,
      priceLineVisible: false,
    });
    line.setData(cleanPoints(s.points));
  });
  chart.timeScale().fitContent();
  const legend = document.createElement("ul");
  legend.className = "legend";
  series.forEach((s, i) => {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = s.color ?? SERIES_COLOURS[i % SERIES_COLOURS.length];
    li.append(swatch, document.createTextNode(s.name));
    legend.append(li);
  });
  el.after(legend);
  return chart;
}

/** An area chart of drawdowns (values ≤ 0, in percent or fractions as given). */
export function drawdownChart(el, points, opts = {}) {
  const chart = baseChart(el, opts.height ?? 200);
  const area = chart.addSeries(AreaSeries, {
    lineColor: "#b91c1c",
    topColor: "rgba(185, 28, 28, 0.05)",
    bottomColor: "rgba(185, 28, 28, 0.35)",
    lineWidth: 1,
    title: opts.title ?? "Drawdown",
    priceLineVisible: false,
  });
  area.setData(cleanPoints(points));
  chart.timeScale().fitContent();
  return chart;
}

/** A histogram (e.g. daily IC, monthly returns): positive bars green, negative red. */
export function histogramChart(el, points, opts = {}) {
  const chart = baseChart(el, opts.height ?? 200);
  const bars = chart.addSeries(HistogramSeries, { title: opts.title ?? "", priceLineVisible: false });
  bars.setData(
    cleanPoints(points).map((p) => ({ ...p, color: p.value >= 0 ? "#15803d" : "#b91c1c" })),
  );
  chart.timeScale().fitContent();
  return chart;
}
