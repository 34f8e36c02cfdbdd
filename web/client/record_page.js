// The record page's script: draws the charts from the points the server computed (pageData), and lists the
// trades of this strategy that settle while the page is open, from the public WebSocket /ws.
import { byId, fmtNumber, h, readPageData, replaceChildren } from "/app/assets/client/dom.js";
import { socketUrl } from "/app/assets/client/api.js";
import { drawdownChart, lineChart } from "/app/assets/client/charts.js";

/** Most live trades kept in the list (older ones drop off the end). */
const MAX_LIVE = 50;
/** Reconnection waits (ms); after the last one the page stops trying and says so. */
const RETRY_MS = [1000, 3000, 10000, 30000, 60000];

function drawCharts(data) {
  if (data.nav.length) {
    lineChart(byId("nav-chart"), [
      { name: data.name, points: data.nav },
      { name: `Benchmark ${data.benchmark}`, points: data.benchmark_nav },
    ]);
    drawdownChart(byId("drawdown-chart"), data.drawdown, { title: "Drawdown %" });
  }
  if (data.rolling.length) {
    lineChart(byId("rolling-chart"), [{ name: "Rolling excess Sharpe", points: data.rolling }], {
      height: 220,
    });
  }
  const claimed = document.getElementById("claimed-chart");
  if (claimed && data.claimed.length) {
    lineChart(claimed, [
      { name: "Verified", points: data.nav },
      { name: "Claimed", points: data.claimed },
    ], { height: 260 });
  }
}

function liveTrades(slug) {
  const list = byId("live-list");
  const status = byId("live-status");
  let attempt = 0;
  const connect = () => {
    const ws = new WebSocket(socketUrl("/ws"));
    ws.addEventListener("open", () => {
      attempt = 0;
      status.textContent = "Connected: trades of this strategy appear here as they settle.";
    });
    ws.addEventListener("message", (ev) => {
      let msg;
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const t = msg && msg.type === "trade" ? msg.data : null;
      if (!t || t.strategy !== slug) return;
      const item = h(
        "li",
        {},
        h("strong", {}, `${t.action} ${t.asset}`),
        ` ${fmtNumber(t.quantity, 0)} @ ${fmtNumber(t.price, 3)}`,
        t.reasoning ? h("span", { class: "muted" }, ` — ${t.reasoning}`) : null,
      );
      list.prepend(item);
      while (list.children.length > MAX_LIVE) list.lastElementChild.remove();
    });
    ws.addEventListener("close", () => {
      if (attempt >= RETRY_MS.length) {
        status.textContent = "Live trades disconnected; reload the page to try again.";
        return;
      }
      status.textContent = "Live trades disconnected; reconnecting…";
      setTimeout(connect, RETRY_MS[attempt++]);
    });
  };
  connect();
}

const data = readPageData();
if (data) {
  try {
    drawCharts(data);
  } catch (e) {
    replaceChildren(
      byId("nav-chart"),
      h("p", { class: "error", role: "alert" }, `Charts failed: ${e.message}`),
    );
  }
  liveTrades(data.slug);
}
