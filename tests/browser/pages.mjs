// Drive Debian's chromium through the reading pages: the landing page, a pair at a glance, its
// timeline, the ontology, /docs, a problem page and the SPARQL editor's new tab and errors.
// Run by tests/test_pages.py; prints one JSON report and saves a 1400×1000 screenshot of each
// page in OUT_DIR.
//
//   node tests/browser/pages.mjs BASE_URL OUT_DIR
import { openChromium, scriptArgs } from "./chromium.mjs";

const [base, out] = scriptArgs("pages.mjs");
const browser = await openChromium(base, out);
const { report } = browser;
// The answers the test asks for on purpose (a wrong name, a wrong query) are not errors, nor is
// /favicon.ico, which chromium asks for by itself where a page names no icon.
const expected404 = new Set();
const expected = (url) => expected404.has(url) || url.endsWith("/favicon.ico");
let failure = null;

try {
  const page = await browser.firstPage({ expected });

  // The landing page leads with the relationship.
  const landing = await page.goto(`${base}/`, { waitUntil: "load" });
  report.landing = { status: landing.status(), head: (await page.content()).slice(0, 3000) };
  report.landingPair = { text: await page.locator("#pair-link").innerText(), href: await page.locator("#pair-link").getAttribute("href") };
  await browser.shot(page, "landing.png");
  report.steps.push("landing");

  // The pair at a glance: every number a link.
  await page.click("#pair-link");
  await page.waitForLoadState("load");
  report.pair = {
    url: page.url(),
    title: await page.locator("#pair-title").innerText(),
    lede: await page.locator("#pair-lede").innerText(),
    marks: await page.locator("#strip .mark").count(),
    byStatus: await page.locator("#by-status tr").evaluateAll((trs) => trs.slice(1).map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent, tr.cells[1].querySelector("a")?.getAttribute("href")])),
    people: await page.locator("#people tr").evaluateAll((trs) => trs.slice(1).map((tr) => [tr.cells[0].textContent, tr.cells[0].querySelector("a")?.getAttribute("href"), tr.cells[1].querySelector("a")?.getAttribute("href")])),
    unlinkedNumbers: await page.locator("main td.n").evaluateAll((tds) => tds.filter((td) => !td.querySelector("a")).map((td) => td.textContent)),
  };
  await browser.shot(page, "pair.png");
  report.steps.push("pair");

  // Its timeline of the requested acts (the count on the pair page links to their list).
  await page.goto(`${base}/timeline?countries=KH,KR&status=requested`, { waitUntil: "load" });
  await page.waitForFunction(() => window.timelineView);
  report.timelineRequested = {
    url: page.url(),
    title: await page.locator("#timeline-title").innerText(),
    shown: await page.locator("#shown").innerText(),
    rows: await page.locator("#items tr[data-id]:not([hidden])").evaluateAll((trs) => trs.map((tr) => tr.dataset.status)),
    onAxis: await page.evaluate(() => window.timelineView.shown()),
    items: await page.locator(".vis-item").count(),
  };
  await page.goto(`${base}/timeline?countries=KH,KR`, { waitUntil: "load" });
  await page.waitForFunction(() => window.timelineView);
  await page.waitForTimeout(300);
  report.timeline = {
    shown: await page.locator("#shown").innerText(),
    onAxis: await page.evaluate(() => window.timelineView.shown()),
    itemTexts: await page.locator(".vis-item .vis-item-content").allInnerTexts(),
    groups: await page.locator(".vis-label").allInnerTexts(),
    whens: await page.locator("#items tr[data-id] td:first-child").allInnerTexts(),
  };
  await browser.shot(page, "timeline.png");
  await page.locator('#filter-kinds input[value="meeting"]').uncheck();
  report.timelineNoMeetings = {
    onAxis: await page.evaluate(() => window.timelineView.shown()),
    rows: await page.locator("#items tr[data-id]:not([hidden])").evaluateAll((trs) => trs.map((tr) => tr.dataset.kind)),
  };
  report.steps.push("timeline");

  // The ontology, readable.
  await page.goto(`${base}/ontology`, { waitUntil: "load" });
  report.ontology = {
    title: await page.locator("h1").innerText(),
    act: await page.locator('dt[id="bkg-CooperationAct"] + dd').innerText(),
    classes: await page.locator("#classes + dl dt").count(),
    properties: await page.locator("#properties + dl dt").count(),
  };
  await browser.shot(page, "ontology.png");
  report.steps.push("ontology");

  // /docs offline.
  await page.goto(`${base}/docs`, { waitUntil: "load" });
  await page.locator(".opblock").first().waitFor();
  report.docs = {
    operations: await page.locator(".opblock").count(),
    title: await page.locator(".info .title").first().innerText(),
  };
  await browser.shot(page, "docs.png");
  report.steps.push("docs");

  // A wrong name: a page that says so, with the nearest names and a way home.
  expected404.add(`${base}/id/person/heng-suor`);
  const wrong = await page.goto(`${base}/id/person/heng-suor`, { waitUntil: "load" });
  report.problem = {
    status: wrong.status(),
    contentType: wrong.headers()["content-type"],
    title: await page.locator("#problem-title").innerText(),
    suggestions: await page.locator("#suggestions a").evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute("href")])),
    home: await page.locator("#home").getAttribute("href"),
  };
  await browser.shot(page, "problem.png");
  report.steps.push("problem");

  // The SPARQL editor: a new tab starts with the prefixes; an error shows the engine's reason.
  await page.goto(`${base}/sparql`, { waitUntil: "load" });
  await page.locator(".yasgui .CodeMirror").first().waitFor();
  await page.evaluate(() => { window.yasgui.addTab(true); return null; });
  await page.waitForTimeout(200);
  report.newTab = await page.evaluate(() => window.yasgui.getTab().getQuery());
  await page.evaluate(() => { window.yasgui.getTab().setQuery("SELECT * WHERE { ?s ?p }"); return null; });
  expected404.add(`${base}/sparql`);
  const tab = page.locator(".tabPanel.active");
  await tab.locator(".CodeMirror").click();
  await page.keyboard.press("Control+Enter");
  await tab.locator(".query-problem").waitFor();
  report.queryProblem = await tab.locator(".query-problem").innerText();
  await browser.shot(page, "sparql-error.png");
  report.steps.push("editor");
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
