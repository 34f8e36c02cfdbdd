// The API's 422 issues ({detail: [{loc, msg}]}) shown beside the fields they name, for the Build pages' forms.
import { h, replaceChildren } from "/app/assets/client/dom.js";

/** Removes every field error shown inside `root`. */
export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll(".field-error")) el.remove();
  for (const el of root.querySelectorAll("[aria-invalid=true]")) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }
}

/** Marks the element `id` invalid with `msg` shown after it; `false` when there is no such element. */
function markField(id, msg) {
  const el = id ? document.getElementById(id) : null;
  if (!el) return false;
  const errId = `${id}-error`;
  const existing = document.getElementById(errId);
  if (existing) {
    existing.textContent = `${existing.textContent} ${msg}`;
    return true;
  }
  el.setAttribute("aria-invalid", "true");
  el.setAttribute("aria-describedby", errId);
  const target = el.tagName === "DIV" ? el.lastElementChild ?? el : el;
  target.after(h("span", { class: "error field-error", id: errId, style: "display: block" }, msg));
  return true;
}

/** A 422 body's issues: `[{loc, msg}]` (a string detail becomes one issue without a place). */
export function issuesOf(body) {
  const detail = body && typeof body === "object" ? body.detail : null;
  if (Array.isArray(detail)) return detail.slice(0, 50);
  return [{ loc: [], msg: typeof detail === "string" ? detail : "The request was refused" }];
}

/**
 * Shows each issue of a 422 `body` beside the field `fieldIdOf(loc)` names; the rest (and a summary) go in
 * `summaryEl` as an alert.
 */
export function showIssues(body, fieldIdOf, summaryEl) {
  const issues = issuesOf(body);
  const unplaced = [];
  for (const issue of issues) {
    const loc = Array.isArray(issue.loc) ? issue.loc : [];
    if (!markField(fieldIdOf(loc), issue.msg)) unplaced.push(issue);
  }
  const placed = issues.length - unplaced.length;
  replaceChildren(
    summaryEl,
    h(
      "div",
      { class: "error", role: "alert" },
      placed
        ? h(
          "p",
          {},
          `${placed} field${placed === 1 ? "" : "s"} need${placed === 1 ? "s" : ""} fixing (marked).`,
        )
        : null,
      unplaced.length
        ? h(
          "ul",
          {},
          unplaced.map((i) =>
            h("li", {}, `${(i.loc ?? []).filter((p) => p !== "body").join(".") || "request"}: ${i.msg}`)
          ),
        )
        : null,
    ),
  );
}
