/**
 * The shared 422 field-issue helper (web/client/field_issues.js) on a form whose page renders the error
 * placeholders (`/app/tracked`'s create form): each issue is shown in its field's `#tc-<field>-error` with the
 * field marked invalid, the result line counts them, and the next submit clears what was fixed.
 */
import assert from "node:assert/strict";
import {
  assertClean,
  launchBrowser,
  openPage,
  type PageDom,
  signInInBrowser,
  startAppServer,
  waitInPage,
} from "../_helpers/browser.ts";

declare const document: PageDom;

Deno.test("browser: the tracked create form shows the API's 422 issues beside their fields and clears them", async () => {
  const server = await startAppServer();
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "fields@example.com", "/app/tracked");
    await page.waitForSelector("#tracked-create-form");
    await page.type("#tc-name", "Field test");
    await page.type("#tc-slug", "A!");
    await page.click("#tc-holding_period", { count: 3 });
    await page.keyboard.press("Backspace");
    await page.type("#tc-holding_period", "999");
    await page.click("#tracked-create");
    await waitInPage(
      page,
      () => {
        const box = document.getElementById("tc-slug-error");
        return box && !box.hidden && box.textContent !== "";
      },
      [],
      { what: "#tc-slug-error shown" },
    );
    const state = () =>
      page.evaluate(() => ({
        slugInvalid: document.getElementById("tc-slug").getAttribute("aria-invalid"),
        holdingShown: !document.getElementById("tc-holding_period-error").hidden,
        holdingInvalid: document.getElementById("tc-holding_period").getAttribute("aria-invalid"),
        nameShown: !document.getElementById("tc-name-error").hidden,
        result: document.getElementById("tracked-create-result").textContent,
      }));
    const first = await state();
    assert.equal(first.slugInvalid, "true");
    assert.equal(first.holdingShown, true);
    assert.equal(first.holdingInvalid, "true");
    assert.equal(first.nameShown, false);
    assert.match(first.result, /2 fields need fixing \(marked\)/);

    await page.click("#tc-slug", { count: 3 });
    await page.keyboard.press("Backspace");
    await page.type("#tc-slug", "field-test");
    await page.click("#tracked-create");
    // Submitting clears every mark at once, then the answer marks what is still wrong: wait for the answer.
    await waitInPage(
      page,
      () =>
        document.getElementById("tc-slug-error").hidden &&
        /1 field needs fixing/.test(document.getElementById("tracked-create-result").textContent ?? ""),
      [],
      { what: "the second answer shown (slug cleared)" },
    );
    const second = await state();
    assert.equal(second.slugInvalid, null);
    assert.equal(second.holdingShown, true);
    assert.match(second.result, /1 field needs fixing/);
    assertClean(page, { allow: [/422/] });
  } finally {
    await browser.close();
    await server.close();
  }
});
