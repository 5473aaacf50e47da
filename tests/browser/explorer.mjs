// Drive Debian's chromium with playwright-core through the graph explorer at /explore, as a
// person would: by keyboard and mouse. Run by tests/test_explorer.py; prints one JSON report.
//
//   node tests/browser/explorer.mjs BASE_URL OUT_DIR
//
// The report holds window.explorer.state() after each step, the label boxes that overlap (none
// may), what the panels and the legend show, the exported files (saved in OUT_DIR, with
// screenshots at 1400×1000) with their pixel counts, and every console error, failed request
// and request to another host.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openChromium } from "./chromium.mjs";

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error("usage: node explorer.mjs BASE_URL OUT_DIR");
  process.exit(2);
}
const { context, report, watch, shot, close } = await openChromium(base, out, { acceptDownloads: true });
let failure = null;

// Wait until the page has no request of its own under way, then read its state, with the
// label boxes that overlap another label or another node, and what the screen shows.
async function settled(page) {
  await page.waitForFunction(() => window.explorer && window.explorer.idle());
  await page.waitForTimeout(50);
  await page.waitForFunction(() => window.explorer.idle());
  return page.evaluate(() => {
    const cy = window.explorer.cy;
    const state = window.explorer.state();
    const nodes = cy.nodes().not(".hidden");
    const opts = { includeOverlays: false, includeUnderlays: false };
    const boxes = nodes.map((n) => ({
      id: n.id(),
      label: n.boundingBox({ ...opts, includeNodes: false, includeLabels: true }),
      body: n.boundingBox({ ...opts, includeNodes: true, includeLabels: false }),
    }));
    const meets = (a, b) => Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1) > 0.5 && Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1) > 0.5;
    const overlaps = [];
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id === b.id) continue;
        if (a.id < b.id && a.label.w > 0 && b.label.w > 0 && meets(a.label, b.label)) overlaps.push(`label ${a.id} / label ${b.id}`);
        if (a.label.w > 0 && meets(a.label, b.body)) overlaps.push(`label ${a.id} / node ${b.id}`);
      }
    }
    const ext = cy.extent();
    const outside = nodes.filter((n) => {
      const p = n.position();
      return p.x < ext.x1 || p.x > ext.x2 || p.y < ext.y1 || p.y > ext.y2;
    }).map((n) => n.id());
    state.overlaps = overlaps;
    state.outside = outside;
    state.renderedFont = state.fontSize * cy.zoom();
    state.labelsShown = boxes.filter((b) => b.label.w > 0).length;
    return state;
  });
}

// How many distinct colours an image has, and the share of pixels that are not white, in all
// of it and in bands (top, bottom, right), for the exported PNG.
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
    const ink = (x, y, w, h) => {
      const data = ctx.getImageData(x, y, w, h).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) n += 1;
      return n / (data.length / 4);
    };
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) colours.add((data[i] >> 4) * 256 + (data[i + 1] >> 4) * 16 + (data[i + 2] >> 4));
    const W = canvas.width;
    const H = canvas.height;
    return {
      width: W,
      height: H,
      colours: colours.size,
      ink: ink(0, 0, W, H),
      titleInk: ink(0, 0, W, 90),
      legendInk: ink(W - 480, 100, 480, Math.min(400, H - 200)),
      footerInk: ink(0, H - 40, W, 40),
    };
  }, url);
}

async function save(page, button, name) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
  const path = join(out, name);
  await download.saveAs(path);
  return path;
}

// Click a node where it is drawn (the canvas is the page's; the node must be on screen).
async function clickNode(page, id) {
  const at = await page.evaluate((nid) => {
    const n = window.explorer.cy.getElementById(nid);
    const box = document.getElementById("cy").getBoundingClientRect();
    const p = n.renderedPosition();
    return { x: box.x + p.x, y: box.y + p.y, inside: p.x > 0 && p.y > 0 && p.x < box.width && p.y < box.height };
  }, id);
  if (!at.inside) throw new Error(`node ${id} is not on screen to click`);
  await page.mouse.click(at.x, at.y);
}

function positions(state) {
  return Object.fromEntries(state.nodes.map((n) => [n.id, n.position]));
}

// The legend as shown: its entries, and whether it lies inside the window.
async function legend(page) {
  return page.evaluate(() => {
    const box = document.getElementById("legend").getBoundingClientRect();
    return {
      inView: box.top >= 0 && box.bottom <= window.innerHeight && box.height > 20,
      items: Array.from(document.querySelectorAll("#legend li")).map((li) => ({
        type: li.dataset.type,
        key: li.dataset.key,
        shape: li.dataset.shape || null,
        color: li.dataset.color,
        dash: li.dataset.dash || null,
        text: li.textContent,
      })),
    };
  });
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);

  // 1. The opening view: the relationship the graph says most about.
  const response = await page.goto(`${base}/explore`, { waitUntil: "load" });
  report.status = response.status();
  report.contentType = response.headers()["content-type"];
  report.opening = await settled(page);
  report.openingUrl = page.url();
  report.openingTitle = await page.locator("#view-title").innerText();
  report.openingLegend = await legend(page);
  report.layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    cy: document.getElementById("cy").getBoundingClientRect().toJSON(),
    fontSize: getComputedStyle(document.body).fontSize,
  }));
  report.screenshot = await pixels(page, await shot(page, "opening.png"));
  report.steps.push("opened");

  // A line's words show when the pointer is on it.
  const hoverEdge = report.opening.edges.find((e) => e.relation === "requestedCooperationWith" && e.status === "requested");
  report.hover = await page.evaluate(async (id) => {
    const cy = window.explorer.cy;
    const e = cy.getElementById(id);
    const before = e.style("label");
    const box = document.getElementById("cy").getBoundingClientRect();
    const mid = e.renderedMidpoint();
    return { id, before, x: box.x + mid.x, y: box.y + mid.y };
  }, hoverEdge.id);
  await page.mouse.move(report.hover.x, report.hover.y);
  await page.waitForTimeout(100);
  report.hover.after = await page.evaluate((id) => window.explorer.cy.getElementById(id).style("label"), hoverEdge.id);
  await shot(page, "hover.png");
  await page.mouse.move(5, 5);

  // A derived shortcut says what it is derived from.
  await page.evaluate((id) => window.explorer.cy.getElementById(id).emit("tap"), hoverEdge.id);
  report.derived = await settled(page);
  report.derivedTitle = await page.locator("#details-title").innerText();
  report.derivedHeading = await page.locator("#details h3").first().innerText();
  report.derivedVia = await page.locator("#details .via > a").allInnerTexts();
  report.derivedMark = await page.locator("#source-text mark").innerText();

  // 2. Three expansions by clicking nodes: each new node starts by its parent; the others stay.
  report.expansions = [];
  let before = report.opening;
  for (const id of ["person/heng-sour", "meeting/meeting-heng-sour-lee-jung-sik-march-8", "act/sour-asks-examine-kosha-comwel-nssf"]) {
    await clickNode(page, id);
    const after = await settled(page);
    report.expansions.push({ id, before: positions(before), after, url: page.url() });
    before = after;
  }
  report.expandedDetails = await page.locator("#details-title").innerText();
  report.counts = await page.locator("#details .counts li").allInnerTexts();
  await shot(page, "expanded-3.png");
  report.expandedLegend = await legend(page);
  report.steps.push("expanded");

  // 7. The permalink replays the same picture in a new page.
  report.permalink = page.url();
  const twin = await context.newPage();
  watch(twin);
  await twin.goto(report.permalink, { waitUntil: "load" });
  report.restored = await settled(twin);
  await shot(twin, "permalink.png");
  await twin.close();
  report.steps.push("permalink");

  // Collapse the meeting from its details; what stays does not move; Undo brings it back.
  await page.locator(`#node-list-box summary`).press("Enter");
  await page.locator(`#node-list button[data-id="meeting/meeting-heng-sour-lee-jung-sik-march-8"]`).press("Enter");
  await settled(page);
  await page.locator("#expand-toggle", { hasText: "Collapse" }).press("Enter");
  report.collapsed = await settled(page);
  await page.click("#undo");
  report.collapseUndone = await settled(page);
  report.steps.push("collapsed");

  // 6. Filters: the details panel follows them.
  await page.goto(`${base}/explore?focus=person%2Fheng-sour&sel=person%2Fheng-sour`, { waitUntil: "load" });
  report.focused = await settled(page);
  report.focusFacts = await page.locator("#facts dd").evaluateAll((dds) => dds.map((d) => d.dataset.fact));
  await page.locator("#filter-kinds input[value=act]").uncheck();
  report.noActs = await settled(page);
  report.noActsFacts = await page.locator("#facts dd").evaluateAll((dds) => dds.map((d) => d.dataset.fact));
  report.noActsNote = await page.locator("#facts-hidden").innerText();
  report.noActsCounts = await page.locator("#details .counts li").allInnerTexts();
  await page.locator("#stated-only").check();
  report.statedOnly = await settled(page);
  report.steps.push("filtered");

  // 1. Search by keyboard: "/" to the search box, type, arrow down to Heng Sour, Enter.
  await page.goto(`${base}/explore`, { waitUntil: "load" });
  await settled(page);
  await page.keyboard.press("/");
  await page.keyboard.type("Sour");
  await page.locator("#suggestions li", { hasText: "Heng Sour" }).first().waitFor();
  report.suggestions = await page.locator("#suggestions li").allInnerTexts();
  const index = report.suggestions.findIndex((t) => t === "Heng Sour person");
  for (let i = 0; i <= index; i += 1) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  report.searched = await settled(page);
  report.searchedUrl = page.url();
  report.searchedDetails = await page.locator("#details-title").innerText();
  report.steps.push("searched");

  // 4. Paths: the form starts with countries avoided and the useful relations ticked.
  report.pathDefaults = await page.evaluate(() => ({
    avoid: document.getElementById("path-avoid").checked,
    groups: Array.from(document.querySelectorAll("#path-groups input:checked")).map((i) => i.value),
  }));
  await page.fill("#path-from", "National Employment Agency");
  await page.fill("#path-to", "Gyeongsangbuk-do");
  await page.locator("#path-form button[type=submit]").click();
  report.neaPath = await settled(page);
  report.neaResults = await page.locator("#path-results li").allInnerTexts();
  report.neaColours = await page.locator("#path-results li").evaluateAll((lis) => lis.map((li) => li.style.getPropertyValue("--path")));
  report.neaLegend = await legend(page);
  await shot(page, "paths.png");
  report.steps.push("paths");

  // An ambiguous name asks which is meant.
  await page.fill("#path-from", "Lee");
  await page.fill("#path-to", "KOSHA");
  await page.locator("#path-form button[type=submit]").click();
  await page.locator("#path-ask button").first().waitFor();
  report.askQuestion = await page.locator("#path-ask-question").innerText();
  report.askChoices = await page.locator("#path-ask button").allInnerTexts();
  await shot(page, "ask.png");
  await page.locator(`#path-ask button[data-id="person/lee-jung-sik"]`).click();
  report.leePath = await settled(page);

  // NSSF to KOSHA: the request that names both.
  await page.fill("#path-from", "organization/nssf");
  await page.fill("#path-to", "organization/kosha");
  await page.locator("#path-k").fill("2");
  await page.locator("#path-form button[type=submit]").click();
  report.path = await settled(page);
  report.pathResults = await page.locator("#path-results li").allInnerTexts();
  const step = report.path.edges.find((e) => e.path === 1);
  await page.evaluate((id) => window.explorer.cy.getElementById(id).emit("tap"), step.id);
  report.pathStep = await settled(page);
  report.pathStepTitle = await page.locator("#details-title").innerText();
  report.pathStepMark = await page.locator("#source-text mark").innerText();

  // The path's permalink, reloaded.
  report.pathPermalink = page.url();
  const pathTwin = await context.newPage();
  watch(pathTwin);
  await pathTwin.goto(report.pathPermalink, { waitUntil: "load" });
  report.pathRestored = await settled(pathTwin);
  await pathTwin.close();
  report.steps.push("path permalink");

  // 8. Export: PNG (title, drawing, legend, sources), GraphML and JSON of the current view.
  report.exported = await settled(page);
  report.pngParts = await page.evaluate(() => window.explorer.pngParts());
  report.png = await pixels(page, await save(page, "#export-png", "export.png"));
  report.graphml = readFileSync(await save(page, "#export-graphml", "export.graphml"), "utf-8");
  report.json = JSON.parse(readFileSync(await save(page, "#export-json", "export.json"), "utf-8"));
  await page.goto(report.openingUrl, { waitUntil: "load" });
  await settled(page);
  report.openingPngParts = await page.evaluate(() => window.explorer.pngParts());
  report.openingPng = await pixels(page, await save(page, "#export-png", "opening-export.png"));
  report.steps.push("exported");

  // Five paths from Heng Sour to Lee Jung-sik, one through each of his acts addressed to Lee:
  // five rows, the last as much in view as the first (the legend takes its room first).
  await page.goto(`${base}/explore?from=person%2Fheng-sour&to=person%2Flee-jung-sik&groups=interaction&max=2&k=5`, { waitUntil: "load" });
  report.fivePaths = await settled(page);
  report.fivePathsResults = await page.locator("#path-results li .explanation").allInnerTexts();
  report.fivePathsBodies = await page.evaluate(() => {
    const box = document.getElementById("cy").getBoundingClientRect();
    return window.explorer.cy.nodes().map((n) => {
      const b = n.renderedBoundingBox({ includeLabels: false });
      return { id: n.id(), inside: b.x1 >= 0 && b.y1 >= 0 && b.x2 <= box.width && b.y2 <= box.height };
    });
  });
  await shot(page, "five-paths.png");
  report.steps.push("five paths");

  // 5. Line style by status: Lee Cheol-woo's examinations are acts "under examination".
  await page.goto(`${base}/explore?focus=person%2Flee-cheol-woo`, { waitUntil: "load" });
  report.leeCheolWoo = await settled(page);
  report.leeCheolWooLegend = await legend(page);
  await shot(page, "lee-cheol-woo.png");
  report.steps.push("line styles");

  // 6. Status filter: untick "under examination" (its box named in words, valued by the
  // notation the API spells); the permalink keeps it.
  report.statusBoxes = await page.locator("#filter-statuses label").evaluateAll((ls) =>
    ls.map((l) => [l.querySelector("input").value, l.textContent.trim()]),
  );
  await page.locator('#filter-statuses input[value="under-examination"]').uncheck();
  report.noExamination = await settled(page);
  report.noExaminationUrl = page.url();
  const copy = await context.newPage();
  watch(copy);
  await copy.goto(report.noExaminationUrl, { waitUntil: "load" });
  report.noExaminationRestored = await settled(copy);
  report.noExaminationBoxes = await copy.locator("#filter-statuses input").evaluateAll((is) =>
    Object.fromEntries(is.map((i) => [i.value, i.checked])),
  );
  // A permalink of before, with the status in words, still hides the same.
  await copy.goto(`${base}/explore?focus=person%2Flee-cheol-woo&status=under+examination`, { waitUntil: "load" });
  report.noExaminationOldLink = await settled(copy);
  await copy.close();
  await page.locator('#filter-statuses input[value="under-examination"]').check();
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
  failure = err;
} finally {
  await close(failure);
}
