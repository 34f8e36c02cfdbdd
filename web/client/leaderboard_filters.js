// The leaderboard's filters apply as soon as one changes (the form still has its Apply button without scripts).
import { byId } from "/app/assets/client/dom.js";

const form = byId("lb-filters");
for (const id of ["lb-period", "lb-dataset"]) {
  byId(id).addEventListener("change", () => form.requestSubmit());
}
