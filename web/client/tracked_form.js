// Form helpers of the tracked-strategy, factor and portfolio pages: 422 issues shown next to their fields.
import { showError } from "/app/assets/client/dom.js";

/** Hides every `.field-error` of `form`. */
export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll(".field-error")) {
    el.textContent = "";
    el.hidden = true;
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/**
 * Shows an API error: each 422 issue whose `loc` names a field (`["body", "name", …]`) goes to the element
 * `#<prefix>-<field>-error` (and marks `#<prefix>-<field>` invalid); anything else goes to `fallback`.
 */
export function showApiError(form, prefix, fallback, err) {
  const detail = err && err.status === 422 && err.body ? err.body.detail : null;
  if (!Array.isArray(detail)) return showError(fallback, err);
  const rest = [];
  for (const issue of detail.slice(0, 50)) {
    const loc = Array.isArray(issue.loc) ? issue.loc : [];
    const field = loc[0] === "body" ? loc[1] : loc[0];
    const box = typeof field === "string" ? form.querySelector(`#${prefix}-${field}-error`) : null;
    if (!box) {
      rest.push(`${loc.join(".")}: ${issue.msg}`);
      continue;
    }
    const where = loc.slice(2).join(".");
    box.textContent = (box.textContent ? box.textContent + " " : "") + (where ? `${where}: ` : "") +
      issue.msg;
    box.hidden = false;
    form.querySelector(`#${prefix}-${field}`)?.setAttribute("aria-invalid", "true");
  }
  if (rest.length > 0) showError(fallback, new Error(rest.join("; ")));
  else showError(fallback, new Error("Please correct the fields marked above."));
}
