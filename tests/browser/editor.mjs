// Drive Debian's chromium with playwright-core: open the query editor, run an example, read the
// results. Run by tests/test_editor.py; prints one JSON report on stdout.
//
//   node tests/browser/editor.mjs URL EXAMPLE_ID EXPECTED_TEXT [SCREENSHOT.png]
//
// The report lists what a person would see (the example's query in the editor, the result rows)
// and every console error, failed request and request to another host.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, exampleId, expected, screenshot] = process.argv.slice(2);
if (!url || !exampleId || !expected) {
  console.error("usage: node editor.mjs URL EXAMPLE_ID EXPECTED_TEXT [SCREENSHOT.png]");
  process.exit(2);
}
const origin = new URL(url).origin;
const report = { consoleErrors: [], failedRequests: [], foreignRequests: [], steps: [] };
const profile = mkdtempSync(join(tmpdir(), "editor-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  timeout: 60_000,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on("console", (msg) => {
    if (msg.type() === "error") report.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on("pageerror", (err) => report.consoleErrors.push(String(err)));
  page.on("request", (req) => {
    const u = req.url();
    if (/^https?:/.test(u) && new URL(u).origin !== origin) report.foreignRequests.push(u);
  });
  page.on("requestfailed", (req) => report.failedRequests.push(`${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) report.failedRequests.push(`${res.url()} ${res.status()}`);
  });

  const response = await page.goto(url, { waitUntil: "load" });
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
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
} catch (err) {
  report.error = String(err);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
process.exit(report.error ? 1 : 0);
