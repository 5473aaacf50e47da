// Drive Debian's chromium with playwright-core through the review page: log in with the write
// token, read the highlighted draft, accept, reject, edit and add facts, save, and see what the
// server says. Run by tests/test_review.py; prints one JSON report on stdout.
//
//   node tests/browser/review.mjs URL TOKEN SHEET OUT_DIR
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [url, token, sheet, out] = process.argv.slice(2);
if (!url || !token || !sheet || !out) {
  console.error("usage: node review.mjs URL TOKEN SHEET OUT_DIR");
  process.exit(2);
}
const origin = new URL(url).origin;
const report = { consoleErrors: [], failedRequests: [], foreignRequests: [] };
const profile = mkdtempSync(join(tmpdir(), "review-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  timeout: 60_000,
  viewport: { width: 1280, height: 800 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const state = (page) => page.evaluate(() => window.reviewState());

// Press a card's button, found by the card's heading words.
async function press(page, list, text, button) {
  const card = page.locator(`#${list} .card`)
    .filter({ has: page.locator("header strong", { hasText: new RegExp(`^${text}$`) }) }).first();
  await card.locator(`button.${button}`).click();
}

async function save(page) {
  const answer = page.waitForResponse((r) => r.url().includes("/api/review/") &&
                                             r.request().method() === "POST");
  await page.click("#save");
  const r = await answer;
  await page.waitForFunction(() => window.reviewState().result !== null);
  return { status: r.status(), body: await r.json(), shown: await page.textContent("#result") };
}

try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on("console", (msg) => {
    if (msg.type() === "error") report.consoleErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on("requestfailed", (req) => report.failedRequests.push(req.url()));
  page.on("request", (req) => {
    if (!req.url().startsWith(origin) && !req.url().startsWith("data:")) report.foreignRequests.push(req.url());
  });
  const response = await page.goto(`${url}/review?sheet=${sheet}`);
  report.status = response.status();
  report.loginShown = await page.isVisible("#login");

  // A wrong token is refused, the right one opens the drafts.
  await page.fill("#token", "wrong");
  await page.click("#login button");
  await page.waitForFunction(() => document.querySelector("#login-error").textContent !== "");
  report.wrongToken = await page.textContent("#login-error");
  await page.fill("#token", token);
  await page.click("#login button");
  await page.waitForSelector("#text mark");
  report.opened = await state(page);
  report.pendingText = await page.textContent("#pending");
  await page.screenshot({ path: join(out, "review.png") });

  // A fact's badge in the text selects its card.
  await page.locator("#text .badge", { hasText: "meeting" }).first().click();
  report.currentCard = await page.locator(".card.current header").first().textContent();
  report.currentSentence = await page.locator(".sentence.current").first().textContent();

  // Accept the agreement alone: its countries still await review, so the seeds would not be
  // sound; nothing is saved and the problems are shown.
  await press(page, "facts", "agreement", "accept");
  report.refused = await save(page);

  // Accept the countries too, edit the agreement's summary, reject a statement.
  await press(page, "entities", "Thailand", "accept");
  await press(page, "entities", "Laos", "accept");
  const agreement = page.locator("#facts .card")
    .filter({ has: page.locator("header strong", { hasText: /^agreement$/ }) }).first();
  await agreement.locator("input[id$='-summary']").fill("build a second railway bridge across the Mekong");
  await agreement.locator("input[id$='-summary']").dispatchEvent("change");
  await press(page, "facts", "statement", "reject");
  report.decisions = (await state(page)).decisions;
  report.saved = await save(page);
  report.afterSave = await state(page);
  report.pendingAfter = await page.textContent("#pending");

  // Add a fact by selecting text: "Thailand and Laos agreed" as an endorsement by Thailand.
  await page.evaluate(() => {
    const text = document.querySelector("#text");
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const at = node.textContent.indexOf("officials said");
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + "officials said".length);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        break;
      }
    }
    text.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
  });
  report.addShown = await page.isVisible("#add");
  report.addQuote = await page.textContent("#add-quote");
  await page.selectOption("#add-kind", "statement");
  await page.fill("#add-actors", "thailand");
  await page.click("#add button[type=submit]");
  report.added = await save(page);
  report.final = await state(page);
  await page.screenshot({ path: join(out, "review-saved.png"), fullPage: false });
} catch (err) {
  report.error = String(err && err.stack || err);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
