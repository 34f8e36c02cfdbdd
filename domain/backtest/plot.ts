/** A Plotly figure of a backtest on one ticker: price with entry/exit markers, equity vs benchmark, drawdown. */
import type { BacktestReport } from "./report.ts";

/** One Plotly trace: a line (price, equity, benchmark, drawdown) or the entry or exit markers. */
export interface PlotlyTrace {
  type: string;
  mode: string;
  name: string;
  x: string[];
  y: (number | null)[];
  text?: string[];
  marker?: { symbol: string; size: number; color: string };
  fill?: string;
  xaxis: string;
  yaxis: string;
}

/** A Plotly axis: its title and its share of the figure's height. */
export interface PlotlyAxis {
  title: { text: string };
  domain: number[];
}

/** A Plotly figure: price with entries and exits, equity against the benchmark, drawdown. */
export interface PlotlyFigure {
  data: PlotlyTrace[];
  layout: {
    title: { text: string };
    grid: { rows: number; columns: number; pattern: string };
    yaxis: PlotlyAxis;
    yaxis2: PlotlyAxis;
    yaxis3: PlotlyAxis;
    showlegend: boolean;
    hovermode: string;
  };
}

/** Plotly `{data, layout}` for `report` with the ticker's closes. */
export function plotFigure(
  report: BacktestReport,
  ticker: string,
  prices: { dates: string[]; close: number[] },
): PlotlyFigure {
  const trades = report.trades.filter((t) => t.ticker === ticker);
  const marker = (action: string, symbol: string, color: string): PlotlyTrace => ({
    type: "scatter",
    mode: "markers",
    name: action === "BUY" ? "Entries" : "Exits",
    x: trades.filter((t) => t.action === action).map((t) => t.date),
    y: trades.filter((t) => t.action === action).map((t) => t.price),
    text: trades.filter((t) => t.action === action).map((t) => t.reason),
    marker: { symbol, size: 10, color },
    xaxis: "x",
    yaxis: "y",
  });
  const days = report.dailyPortfolio;
  const benchKey = days.length
    ? Object.keys(days[0]).find((k) => k.endsWith("Normalized") && k !== "portfolioNormalized")
    : undefined;
  const data: PlotlyTrace[] = [
    {
      type: "scatter",
      mode: "lines",
      name: ticker,
      x: prices.dates,
      y: prices.close,
      xaxis: "x",
      yaxis: "y",
    },
    marker("BUY", "triangle-up", "#2ca02c"),
    marker("SELL", "triangle-down", "#d62728"),
    {
      type: "scatter",
      mode: "lines",
      name: "Strategy (=100 at start)",
      x: days.map((d) => d.date),
      y: days.map((d) => d.portfolioNormalized),
      xaxis: "x",
      yaxis: "y2",
    },
  ];
  if (benchKey) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: benchKey.replace(/Normalized$/, ""),
      x: days.map((d) => d.date),
      y: days.map((d) => d[benchKey]),
      xaxis: "x",
      yaxis: "y2",
    });
  }
  data.push({
    type: "scatter",
    mode: "lines",
    fill: "tozeroy",
    name: "Drawdown %",
    x: days.map((d) => d.date),
    y: days.map((d) => d.drawdown),
    xaxis: "x",
    yaxis: "y3",
  });
  return {
    data,
    layout: {
      title: { text: `${report.spec.name} — ${ticker}` },
      grid: { rows: 3, columns: 1, pattern: "coupled" },
      yaxis: { title: { text: "Price" }, domain: [0.55, 1] },
      yaxis2: { title: { text: "Equity (=100)" }, domain: [0.25, 0.5] },
      yaxis3: { title: { text: "Drawdown %" }, domain: [0, 0.2] },
      showlegend: true,
      hovermode: "x unified",
    },
  };
}
