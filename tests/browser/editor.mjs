// Drive Debian's chromium with playwright-core: open the query editor, run an example, read the
// results. Run by tests/test_editor.py; prints one JSON report on stdout and saves a screenshot
// of the whole page with its results in OUT_DIR (editor.png).
//
//   node tests/browser/editor.mjs BASE_URL OUT_DIR EXAMPLE_ID EXPECTED_TEXT
//
// The report lists what a person would see (the example's query in the editor, the result rows)
// and every console error, failed request and request to another host.
import { openChromium, scriptArgs } from "./chromium.mjs";

const [base, out, exampleId, expected] = scriptArgs("editor.mjs", "EXAMPLE_ID", "EXPECTED_TEXT");
const browser = await openChromium(base, out);
const { report } = browser;
let failure = null;

try {
  const page = await browser.firstPage();
  const response = await page.goto(`${base}/sparql`, { waitUntil: "load" });
  report.status = response.status();
  report.contentType = response.headers()["content-type"];
  await page.locator(".yasgui .CodeMirror").first().waitFor();
  report.steps.push("rendered");

  report.examples = await page.locator("#examples option").evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  await page.selectOption("#examples", exampleId);
  const query = await page.evaluate(() => window.yasgui.getTab().getQuery());
  report.query = query;
  report.tabName = await page.evaluate(() => window.yasgui.getTab().getName());
  report.steps.push("example chosen");

  // Run it as a person would: Ctrl+Enter in the editor of the active tab.
  const tab = page.locator(".tabPanel.active");
  await tab.locator(".CodeMirror").click();
  await page.keyboard.press("Control+Enter");
  report.steps.push("query sent");
  const table = tab.locator(".yasr table.dataTable");
  await table.getByText(expected, { exact: false }).first().waitFor();
  report.steps.push("results shown");
  report.headers = await table.locator("thead th").allInnerTexts();
  report.rows = await table.locator("tbody tr").evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.innerText.trim())),
  );
  await browser.shot(page, "editor.png", { fullPage: true });
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
