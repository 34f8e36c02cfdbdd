// The API's 422 issues ({detail: [{loc, msg}]}) shown beside the fields they name, for every page's forms (build,
// tracked strategies, factors, portfolios). A field `#<id>` shows its issues in `#<id>-error`: a placeholder the
// page rendered (`<p class="field-error" hidden>`), or a line added after the field when there is none.
import { h, replaceChildren, showError } from "/app/assets/client/dom.js";

/** Issues shown at most (a 422 body is bounded by the API; this bounds the DOM work too). */
const MAX_ISSUES = 50;

/** Clears every field error inside `root`: added lines are removed, rendered placeholders emptied and hidden. */
export function clearFieldErrors(root) {
  for (const el of root.querySelectorAll(".field-error")) {
    if (el.dataset.added === "true") el.remove();
    else {
      el.textContent = "";
      el.hidden = true;
    }
  }
  for (const el of root.querySelectorAll("[aria-invalid=true]")) {
    el.removeAttribute("aria-invalid");
    if (el.dataset.describedByIssue === "true") {
      el.removeAttribute("aria-describedby");
      delete el.dataset.describedByIssue;
    }
  }
}

/** Shows `msg` in `#<id>-error` and marks `#<id>` invalid; `false` when the page has neither element. */
function markField(id, msg) {
  const el = id ? document.getElementById(id) : null;
  const errId = `${id}-error`;
  const existing = id ? document.getElementById(errId) : null;
  if (!el && !existing) return false;
  el?.setAttribute("aria-invalid", "true");
  if (existing) {
    existing.textContent = existing.textContent ? `${existing.textContent} ${msg}` : msg;
    existing.hidden = false;
    return true;
  }
  el.setAttribute("aria-describedby", errId);
  el.dataset.describedByIssue = "true";
  const target = el.tagName === "DIV" ? el.lastElementChild ?? el : el;
  target.after(
    h("span", { class: "error field-error", id: errId, style: "display: block", "data-added": "true" }, msg),
  );
  return true;
}

/** A 422 body's issues: `[{loc, msg}]` (a string detail becomes one issue without a place). */
function issuesOf(body) {
  const detail = body && typeof body === "object" ? body.detail : null;
  if (Array.isArray(detail)) return detail.slice(0, MAX_ISSUES);
  return [{ loc: [], msg: typeof detail === "string" ? detail : "The request was refused" }];
}

/**
 * Shows each issue of a 422 `body` beside the field `fieldOf(loc)` names (an element id, or `{id, where}` where
 * `where` is the part of the place inside that field, shown before the message); the rest, and a count of the
 * marked fields, go in `summaryEl` as an alert.
 */
export function showIssues(body, fieldOf, summaryEl) {
  const issues = issuesOf(body);
  const unplaced = [];
  for (const issue of issues) {
    const loc = Array.isArray(issue.loc) ? issue.loc : [];
    const field = fieldOf(loc);
    const { id, where } = typeof field === "object" && field !== null ? field : { id: field, where: "" };
    if (!markField(id, where ? `${where}: ${issue.msg}` : issue.msg)) unplaced.push(issue);
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

/**
 * Shows an API error from a form whose fields are `#<prefix>-<field>`: a 422's issues go beside the fields their
 * `loc` names (`["body", "name", …]`), the rest and any other error in `fallback`.
 */
export function showApiError(form, prefix, fallback, err) {
  const detail = err && err.status === 422 && err.body ? err.body.detail : null;
  if (!Array.isArray(detail)) return showError(fallback, err);
  showIssues(err.body, (loc) => {
    const at = loc[0] === "body" ? 1 : 0;
    const field = loc[at];
    if (typeof field !== "string" || !/^[A-Za-z0-9_]{1,64}$/.test(field)) return null;
    if (!form.querySelector(`#${prefix}-${field}, #${prefix}-${field}-error`)) return null;
    return { id: `${prefix}-${field}`, where: loc.slice(at + 1).join(".") };
  }, fallback);
}
