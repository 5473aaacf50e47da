// Drive Debian's chromium with playwright-core through the graph explorer at /explore, as a
// person would: by keyboard and mouse. Run by tests/test_explorer.py; prints one JSON report.
//
//   node tests/browser/explorer.mjs BASE_URL OUT_DIR
//
// The report holds window.explorer.state() after each step, what the panels show, the exported
// files (saved in OUT_DIR) with their pixel counts, and every console error, failed request and
// request to another host.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error("usage: node explorer.mjs BASE_URL OUT_DIR");
  process.exit(2);
}
const origin = new URL(base).origin;
const report = { consoleErrors: [], failedRequests: [], foreignRequests: [], steps: [] };
const profile = mkdtempSync(join(tmpdir(), "explorer-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  timeout: 60_000,
  viewport: { width: 1280, height: 800 },
  acceptDownloads: true,
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

function watch(page) {
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
}

// Wait until the page has no request of its own under way, then read its state.
async function settled(page) {
  await page.waitForFunction(() => window.explorer && window.explorer.idle());
  await page.waitForTimeout(50);
  await page.waitForFunction(() => window.explorer.idle());
  return page.evaluate(() => window.explorer.state());
}

// How many distinct colours an image has, and the share of pixels that are not white.
async function pixels(page, file) {
  const url = "data:image/png;base64," + readFileSync(file).toString("base64");
  return page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      colours.add((data[i] >> 4) * 256 + (data[i + 1] >> 4) * 16 + (data[i + 2] >> 4));
      if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) ink += 1;
    }
    return { width: canvas.width, height: canvas.height, colours: colours.size, ink: ink / (data.length / 4) };
  }, url);
}

async function save(page, button, name) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  const path = join(out, name);
  await download.saveAs(path);
  return path;
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  const response = await page.goto(`${base}/explore`, { waitUntil: "load" });
  report.status = response.status();
  report.contentType = response.headers()["content-type"];
  report.initial = await settled(page);
  report.steps.push("opened");

  // 1. Search by keyboard: "/" to the search box, type, arrow down to Heng Sour, Enter.
  await page.keyboard.press("/");
  await page.keyboard.type("Sour");
  await page.locator("#suggestions li", { hasText: "Heng Sour" }).first().waitFor();
  report.suggestions = await page.locator("#suggestions li").allInnerTexts();
  const index = report.suggestions.findIndex((t) => t === "Heng Sour person");
  for (let i = 0; i <= index; i += 1) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  report.focused = await settled(page);
  report.focusUrl = page.url();
  report.details = await page.locator("#details-title").innerText();
  report.layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    cy: document.getElementById("cy").getBoundingClientRect().toJSON(),
    fontSize: getComputedStyle(document.body).fontSize,
  }));
  await page.screenshot({ path: join(out, "focus.png") });
  report.screenshot = await pixels(page, join(out, "focus.png"));
  report.steps.push("searched");

  // 2. Expand a node by clicking it: the meeting of 8 March has more to show.
  const meeting = "meeting/meeting-heng-sour-lee-jung-sik-march-8";
  const at = await page.evaluate((id) => {
    const n = window.explorer.cy.getElementById(id);
    const box = document.getElementById("cy").getBoundingClientRect();
    return { x: box.x + n.renderedPosition().x, y: box.y + n.renderedPosition().y };
  }, meeting);
  await page.mouse.click(at.x, at.y);
  report.expanded = await settled(page);
  report.expandedDetails = await page.locator("#details-title").innerText();
  report.counts = await page.locator("#details .counts li").allInnerTexts();
  report.steps.push("expanded");

  // By keyboard, from the list of nodes in view: expand Lee Jung-sik, then the NSSF request.
  await page.locator("#node-list-box summary").press("Enter");
  await page.locator("#node-list button", { hasText: /^Lee Jung-sik/ }).press("Enter");
  report.leeExpanded = await settled(page);
  await page.locator("#node-list button", { hasText: /^Request by Heng Sour: examine the possibility of increasing cooperation between KOSHA/ }).press("Enter");
  report.requestExpanded = await settled(page);
  report.steps.push("expanded by keyboard");

  // 3. Details of an edge: the request's partner NSSF, with the sentence marked in its source.
  const edge = report.requestExpanded.edges.find(
    (e) => e.relation === "partner" && e.target === "organization/nssf",
  );
  if (edge) {
    await page.evaluate((id) => window.explorer.cy.getElementById(id).emit("tap"), edge.id);
    report.edgeState = await settled(page);
    report.edgeDetails = await page.locator("#details-title").innerText();
    report.edgeMark = await page.locator("#source-text mark").innerText();
    report.edgeSourceLink = await page.locator("#source-box h3 a").first().getAttribute("href");
    report.edgeEntityLinks = await page.locator("#details-title a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  }
  report.steps.push("edge details");

  // 6. Filters: hide acts, then stated facts only.
  await page.locator("#filter-kinds input[value=act]").uncheck();
  report.noActs = await settled(page);
  await page.locator("#stated-only").check();
  report.statedOnly = await settled(page);
  report.steps.push("filtered");

  // 4. Paths from NSSF to KOSHA over the default relations.
  await page.fill("#path-from", "organization/nssf");
  await page.fill("#path-to", "organization/kosha");
  await page.locator("#path-k").fill("2");
  await page.locator("#path-form button[type=submit]").click();
  report.path = await settled(page);
  report.pathResults = await page.locator("#path-results li").allInnerTexts();
  report.steps.push("paths");

  // 7. The permalink restores the same view in a new page.
  report.permalink = page.url();
  const twin = await context.newPage();
  watch(twin);
  await twin.goto(report.permalink, { waitUntil: "load" });
  report.restored = await settled(twin);
  report.restoredPathResults = await twin.locator("#path-results li").allInnerTexts();
  await twin.close();
  report.steps.push("permalink");

  // Back undoes the path query and then the filters; forward redoes.
  await page.goBack();
  report.back1 = await settled(page);
  await page.goBack();
  await page.goBack();
  report.back3 = await settled(page);
  await page.goForward();
  report.forward = await settled(page);
  await page.click("#undo");
  report.undone = await settled(page);
  report.steps.push("history");

  // 8. Export: PNG, GraphML and JSON of the current view.
  await page.goto(report.permalink, { waitUntil: "load" });
  report.exported = await settled(page);
  report.png = await pixels(page, await save(page, "#export-png", "export.png"));
  report.graphml = readFileSync(await save(page, "#export-graphml", "export.graphml"), "utf-8");
  report.json = JSON.parse(readFileSync(await save(page, "#export-json", "export.json"), "utf-8"));
  report.steps.push("exported");

  // 2. Collapse: focus Heng Sour, expand the meeting of 8 March and then a document it brought
  // in, collapse the meeting (by keyboard, from its details), then Undo.
  const M = "meeting/meeting-heng-sour-lee-jung-sik-march-8";
  const D = "document/mlvt-post-march-10";
  await page.goto(`${base}/explore?focus=person%2Fheng-sour`, { waitUntil: "load" });
  report.collapseStart = await settled(page);
  await page.locator("#node-list-box summary").press("Enter");
  await page.locator(`#node-list button[data-id="${M}"]`).press("Enter");
  report.collapseExpanded1 = await settled(page);
  await page.locator(`#node-list button[data-id="${D}"]`).press("Enter");
  report.collapseExpanded2 = await settled(page);
  await page.locator(`#node-list button[data-id="${M}"]`).press("Enter");
  await settled(page);
  await page.locator("#expand-toggle", { hasText: "Collapse" }).press("Enter");
  report.collapsed = await settled(page);
  // What the remaining centres (the focus and the document) link to, as the API says.
  report.collapseExpected = await page.evaluate(async (centres) => {
    const nodes = new Set();
    const edges = new Set();
    for (const c of centres) {
      const r = await fetch(`/api/graph/ego/${c}?limit=25`).then((res) => res.json());
      r.nodes.forEach((n) => nodes.add(n.id));
      r.edges.forEach((e) => edges.add(e.id));
    }
    return { nodes: [...nodes], edges: [...edges] };
  }, ["person/heng-sour", D]);
  await page.click("#undo");
  report.collapseUndone = await settled(page);
  report.steps.push("collapsed");

  // 5. Line style by status: Lee Cheol-woo's examinations are acts "under examination".
  await page.goto(`${base}/explore?focus=person%2Flee-cheol-woo`, { waitUntil: "load" });
  report.leeCheolWoo = await settled(page);
  report.steps.push("line styles");

  // 6. Status filter: untick "under examination"; the permalink keeps it.
  await page.locator('#filter-statuses input[value="under examination"]').uncheck();
  report.noExamination = await settled(page);
  report.noExaminationUrl = page.url();
  const copy = await context.newPage();
  watch(copy);
  await copy.goto(report.noExaminationUrl, { waitUntil: "load" });
  report.noExaminationRestored = await settled(copy);
  report.noExaminationBoxes = await copy.locator("#filter-statuses input").evaluateAll((is) =>
    Object.fromEntries(is.map((i) => [i.value, i.checked])),
  );
  await copy.close();
  await page.locator('#filter-statuses input[value="under examination"]').check();
  report.examinationBack = await settled(page);
  report.steps.push("status filter");

  // 9. A line chosen by keyboard alone: Tab through the list of lines in view, Enter.
  const wanted = report.examinationBack.edges.find(
    (e) => e.source === "act/governor-examines-fire-trucks-ambulances" && e.relation === "actor",
  );
  report.keyEdgeId = wanted ? wanted.id : null;
  await page.locator("#edge-list-box summary").focus();
  await page.keyboard.press("Enter");
  let tabs = 0;
  for (; tabs < 60; tabs += 1) {
    await page.keyboard.press("Tab");
    const at = await page.evaluate(() => document.activeElement.getAttribute("data-id"));
    if (at === report.keyEdgeId) break;
  }
  report.keyEdgeTabs = tabs;
  report.edgeListItems = await page.locator("#edge-list button").allInnerTexts();
  await page.keyboard.press("Enter");
  report.keyEdge = await settled(page);
  report.keyEdgeSelected = await page.evaluate(() => window.explorer.cy.$(":selected").map((e) => e.id()));
  report.keyEdgeTitle = await page.locator("#details-title").innerText();
  report.keyEdgeQuotes = await page.locator("#details ul.evidence q").allInnerTexts();
  report.keyEdgeMark = await page.locator("#source-text mark").innerText();
  report.keyEdgeUrl = page.url();
  report.steps.push("line by keyboard");

  // 10. Names in their own script find their entity; a name that finds nothing says so.
  report.scripts = {};
  for (const q of ["이정식", "ហេង សួរ", "경상북도", "zzqxj"]) {
    await page.locator("#search").fill("");
    await page.locator("#search").focus();
    await page.keyboard.type(q);
    await page.locator("#suggestions li").first().waitFor();
    report.scripts[q] = await page.locator("#suggestions li").allInnerTexts();
  }
  report.steps.push("scripts");
} catch (err) {
  report.error = String(err.stack || err);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
