// Drive Debian's chromium with playwright-core over pages whose data carry HTML and script
// payloads, and report whether any of it ran. Run by tests/test_xss.py; prints one JSON report.
//
//   node tests/browser/xss.mjs BASE_URL OUT_DIR PLAN.json
//
// PLAN.json: {"pages": [path, ...], "explore": {...}, "editor": {...}} (see tests/test_xss.py);
// explore.edges (default 6) bounds the lines whose details are opened, explore.hostileQuery
// (optional) is a query string for /explore, explore.sourceUrl (optional) replaces the url of
// every source /api/sources answers to the explorer.
// Every payload sets window.__xss or opens a dialog when it runs; after each step the report
// holds window.__xss, the dialogs seen, the visible text, the links with a script scheme, the
// elements a payload would create (script, img, iframe, object, embed, and svg outside the
// explorer's legend) and every console error.
import { readFileSync } from "node:fs";
import { openChromium, scriptArgs } from "./chromium.mjs";

const [base, out, planFile] = scriptArgs("xss.mjs", "PLAN.json");
const plan = JSON.parse(readFileSync(planFile, "utf-8"));
const browser = await openChromium(base, out);
const { context, report } = browser;
report.pages = {};
const started = Date.now();
const step = (name) => report.steps.push(`${name} ${Date.now() - started}ms`);
let failure = null;

// A new page, watched; what a Content Security Policy blocks is a console error, with the
// first characters of it ('report-sample').
async function watched(where) {
  const page = browser.watch(await context.newPage(), { where });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP blocked ${e.violatedDirective} ${e.blockedURI} ${JSON.stringify(e.sample)} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`);
    });
  });
  return page;
}

// What a payload would leave behind in the live DOM, and what a person sees.
async function inspect(page) {
  return page.evaluate(() => {
    const scheme = /^\s*(javascript|vbscript|data):/i;
    const attrs = [];
    const links = [];
    for (const e of document.querySelectorAll("*")) {
      for (const a of e.attributes) {
        if (/^on/i.test(a.name)) attrs.push(`${e.tagName.toLowerCase()} ${a.name}=${a.value}`);
        if (["href", "src", "action", "formaction", "xlink:href"].includes(a.name.toLowerCase()) && scheme.test(a.value)) {
          links.push(`${e.tagName.toLowerCase()} ${a.name}=${a.value}`);
        }
      }
    }
    const legend = document.getElementById("legend");
    const created = [...document.querySelectorAll("script, img, iframe, object, embed, svg")]
      .filter((e) => !(e.tagName.toLowerCase() === "svg" && legend && legend.contains(e)))
      .map((e) => (e.tagName.toLowerCase() === "script" ? `script ${e.getAttribute("src") || e.id || "inline"}` : e.outerHTML.slice(0, 120)));
    return {
      xss: window.__xss === undefined ? null : String(window.__xss),
      text: document.body.innerText,
      title: document.title,
      onAttributes: attrs,
      scriptLinks: links,
      elements: created,
    };
  });
}

async function settled(page) {
  await page.waitForFunction(() => window.explorer && window.explorer.idle());
  await page.waitForTimeout(50);
  await page.waitForFunction(() => window.explorer.idle());
}

try {
  // 1. Every page of the plan, as a reader opens it (and hovers and clicks nothing).
  const page = await watched("pages");
  for (const path of plan.pages) {
    const response = await page.goto(base + path, { waitUntil: "load" });
    await page.waitForTimeout(20);
    report.pages[path] = { status: response.status(), ...(await inspect(page)) };
  }
  step("pages");

  // 2. The explorer focused on the payload entity: its details panel with the evidence shown
  // in its source, then each other payload-bearing node's details.
  const ex = plan.explore;
  const explore = await watched("explore");
  if (ex.sourceUrl) {
    // A source's URL as a loaded file can set it (/api/sources answers it as is).
    await explore.route("**/api/sources/**", async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      if (body.url) body.url = ex.sourceUrl;
      await route.fulfill({ response, json: body });
    });
  }
  await explore.goto(`${base}/explore?focus=${encodeURIComponent(ex.focus)}`, { waitUntil: "load" });
  await settled(explore);
  report.focused = await inspect(explore);
  report.focusedDetails = await explore.locator("#details").innerText();
  report.nodeList = await explore.locator("#node-list button").evaluateAll((bs) => bs.map((b) => b.textContent));
  report.edgeList = await explore.locator("#edge-list button").evaluateAll((bs) => bs.map((b) => b.textContent));
  report.details = {};
  for (const id of ex.details) {
    await explore.evaluate((n) => { window.explorer.cy.getElementById(n).emit("tap"); }, id);
    await settled(explore);
    report.details[id] = { panel: await explore.locator("#details").innerText(), ...(await inspect(explore)) };
  }
  // Every "in context" button of the panel: each source shown with its evidence marked.
  const buttons = explore.locator("#details button.in-source");
  const count = await buttons.count();
  report.inContext = [];
  report.sourceLinks = [];
  for (let i = 0; i < count; i += 1) {
    await buttons.nth(i).click();
    await settled(explore);
    report.inContext.push(await explore.locator("#source-box").innerText());
    report.sourceLinks.push(...(await explore.locator("#source-box a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))));
  }
  report.afterInContext = await inspect(explore);
  // The details of the lines at the focus: their ends' labels and evidence.
  const edges = await explore.evaluate((n) => window.explorer.cy.getElementById(n).connectedEdges().map((e) => e.id()), ex.focus);
  report.edgeDetails = [];
  for (const id of edges.slice(0, ex.edges ?? 6)) {
    await explore.evaluate((e) => { window.explorer.cy.getElementById(e).emit("tap"); }, id);
    await settled(explore);
    report.edgeDetails.push(await explore.locator("#details").innerText());
  }
  report.afterEdges = await inspect(explore);
  step("explore details");

  // 3. Type-ahead: the payload entity's suggestions, then pick it by keyboard.
  await explore.locator("#search").fill("");
  await explore.locator("#search").focus();
  await explore.keyboard.type(ex.search);
  await explore.locator("#suggestions li").first().waitFor();
  await settled(explore);
  report.suggestions = await explore.locator("#suggestions li").allInnerTexts();
  report.suggesting = await inspect(explore);
  const index = report.suggestions.findIndex((t) => t.startsWith(ex.pick));
  for (let i = 0; i <= index; i += 1) await explore.keyboard.press("ArrowDown");
  await explore.keyboard.press("Enter");
  await settled(explore);
  report.picked = await explore.locator("#details-title").innerText();
  report.afterPick = await inspect(explore);
  step("type-ahead");

  // 4. A path to the payload entity, by its id and by a payload name.
  for (const [from, to, key] of [[ex.pathFrom, ex.focus, "path"], [ex.pathFrom, ex.pathToName, "pathByName"]]) {
    await explore.fill("#path-from", from);
    await explore.fill("#path-to", to);
    await explore.locator("#path-form button[type=submit]").click();
    await settled(explore);
    report[key] = await explore.locator("#path-results").innerText();
  }
  report.afterPath = await inspect(explore);
  step("paths");

  // 4b. Nodes from the loaded file, each focused and its details opened.
  report.loaded = {};
  for (const id of ex.loaded ?? []) {
    await explore.goto(`${base}/explore?focus=${encodeURIComponent(id)}`, { waitUntil: "load" });
    await settled(explore);
    await explore.evaluate((n) => { window.explorer.cy.getElementById(n).emit("tap"); }, id);
    await settled(explore);
    report.loaded[id] = { panel: await explore.locator("#details").innerText(), ...(await inspect(explore)) };
  }
  step("loaded nodes");

  // 5. Payloads in the explorer's own query string.
  if (ex.hostileQuery) {
    const hostile = await watched("explore query string");
    await hostile.goto(`${base}/explore?${ex.hostileQuery}`, { waitUntil: "load" });
    await settled(hostile);
    report.hostileQuery = await inspect(hostile);
    step("hostile query string");
  }

  // 6. The SPARQL editor: results that hold the payloads, in YASR's table.
  const ed = plan.editor;
  const editor = await watched("editor");
  await editor.goto(`${base}/sparql`, { waitUntil: "load" });
  await editor.locator(".yasgui .CodeMirror").first().waitFor();
  await editor.evaluate((q) => { window.yasgui.getTab().setQuery(q); }, ed.query);
  const tab = editor.locator(".tabPanel.active");
  await tab.locator(".CodeMirror").click();
  await editor.keyboard.press("Control+Enter");
  await tab.locator(".yasr table.dataTable").getByText(ed.expect, { exact: false }).first().waitFor();
  await editor.waitForTimeout(100);
  report.editor = await inspect(editor);
  report.editorTable = await tab.locator(".yasr table.dataTable tbody").innerText();
  report.editorLinks = await tab.locator(".yasr table.dataTable tbody a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  step("editor");
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
