// Drive Debian's chromium with playwright-core through the review page: log in with the write
// token, read the highlighted draft, accept, reject, edit and add facts, save, and see what the
// server says. Run by tests/test_review.py; prints one JSON report on stdout and saves
// screenshots in OUT_DIR (review.png, review-saved.png).
//
//   node tests/browser/review.mjs BASE_URL OUT_DIR TOKEN SHEET
import { openChromium, scriptArgs } from "./chromium.mjs";

const [base, out, token, sheet] = scriptArgs("review.mjs", "TOKEN", "SHEET");
const browser = await openChromium(base, out);
const { report } = browser;
// The refusals the script provokes (a wrong token, an unsound save) are not failed requests;
// the console still shows them (the test reads which).
const expected = (url, status) => new URL(url).pathname.startsWith("/api/review") && [403, 422].includes(status);
let failure = null;
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
  const page = await browser.firstPage({ expected });
  const response = await page.goto(`${base}/review?sheet=${sheet}`);
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
  await browser.shot(page, "review.png");

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
  await browser.shot(page, "review-saved.png");
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
