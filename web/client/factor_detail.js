// `/app/factors/<id>`: draws the daily IC histogram and the long-short growth line from the server's series, and
// validates a ready factor (`POST /api/v1/factors/{id}/submit`).
import { api } from "/app/assets/client/api.js";
import { byId, readPageData, showError, showStatus } from "/app/assets/client/dom.js";
import { histogramChart, lineChart } from "/app/assets/client/charts.js";

const data = readPageData();

if (data.ic_series.length > 0) histogramChart(byId("ic-chart"), data.ic_series, { title: "IC" });
if (data.ls_cumulative.length > 0) {
  lineChart(byId("ls-chart"), [{ name: "Long-short (growth of 1)", points: data.ls_cumulative }]);
}

const submit = document.getElementById("factor-submit");
submit?.addEventListener("click", async () => {
  const result = byId("factor-submit-result");
  submit.disabled = true;
  showStatus(result, "Validating on the platform's data… this can take a while.");
  try {
    const f = await api(`/api/v1/factors/${encodeURIComponent(data.id)}/submit`, { method: "POST" });
    showStatus(result, `Validation finished: ${f.status}. Reloading…`);
    location.reload();
  } catch (err) {
    submit.disabled = false;
    showError(result, err);
  }
});
