// Drive Debian's chromium through the linked-data pages (/id/...): a person, an organization, a
// meeting, an act and a source. Run by tests/test_entity_pages.py; prints one JSON report of what
// each page shows and saves a 1400×1000 screenshot of each (and of the whole page) in OUT_DIR.
//
//   node tests/browser/entity.mjs BASE_URL OUT_DIR PATH...
import { openChromium } from "./chromium.mjs";

const [base, out, ...paths] = process.argv.slice(2);
if (!base || !out || !paths.length) {
  console.error("usage: node entity.mjs BASE_URL OUT_DIR PATH...");
  process.exit(2);
}
const browser = await openChromium(base, out);
const { report } = browser;
report.pages = {};
let failure = null;

try {
  const page = browser.watch(browser.context.pages()[0] ?? (await browser.context.newPage()));
  for (const path of paths) {
    const res = await page.goto(`${base}/${path}`, { waitUntil: "load" });
    const name = path.replace(/^id\//, "").replace(/[^a-z0-9]+/gi, "-");
    report.pages[path] = await page.evaluate(() => {
      const text = (sel) => [...document.querySelectorAll(sel)].map((e) => e.innerText.trim());
      // What a reader sees, without the exact values printed as code beside their words.
      const main = document.querySelector("main").cloneNode(true);
      main.querySelectorAll("code").forEach((c) => c.remove());
      // Our own links (not a source's address on the web) that print an IRI for a name.
      const links = [...document.querySelectorAll("main a[href^='/']")].map((a) => a.innerText.trim());
      return {
        height: document.documentElement.scrollHeight,
        overflows: document.documentElement.scrollWidth > window.innerWidth,
        title: document.querySelector("h1").innerText,
        when: document.querySelector("#when")?.innerText ?? null,
        happenings: [...document.querySelectorAll(".happening")].map((h) => ({
          when: h.querySelector(".when").innerText,
          title: h.querySelector("h3").innerText,
          facts: h.querySelectorAll("li.fact").length,
          marks: h.querySelectorAll("mark").length,
        })),
        facts: [...document.querySelectorAll("li.fact")].map((li) => ({
          fact: li.dataset.fact,
          layer: li.dataset.layer,
          evidence: li.dataset.evidence.split(" ").filter(Boolean).length,
          shown: li.querySelectorAll(".quote").length,
          status: li.querySelector(".st")?.innerText ?? null,
          steps: [...li.querySelectorAll(".step")].map((s) => s.innerText),
        })),
        derived: text("#derived li"),
        conflicts: [...document.querySelectorAll(".conflict")].map((c) => ({
          label: c.querySelector("strong").innerText,
          values: [...c.querySelectorAll(".side .value")].map((v) => v.innerText),
          sources: [...c.querySelectorAll(".side .where")].map((v) => v.innerText),
        })),
        steps: text("#status .step"),
        sources: text("#sources tr").slice(1),
        rawDates: (main.innerText.match(/\b\d{4}\?-\d\d(-\d\d)?|XXXX-\d\d(-\d\d)?/g) ?? []),
        rawLinks: links.filter((t) => /^(https?:\/\/|id\/)/.test(t)),
      };
    });
    report.pages[path].status = res.status();
    await browser.shot(page, `${name}.png`);
    await browser.shot(page, `${name}-full.png`, { fullPage: true });
  }
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
