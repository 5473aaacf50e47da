// Drive Debian's chromium through the lists (/acts, /meetings, /statements, /statistics,
// /sources): each page as it opens, then filtered, sorted and paged with its own form and links,
// and its CSV downloaded from its link. Run by tests/test_list_pages.py; prints one JSON report
// and saves a 1400×1000 screenshot of each step in OUT_DIR.
//
//   node tests/browser/lists.mjs BASE_URL OUT_DIR
import { readFileSync } from "node:fs";
import { openChromium } from "./chromium.mjs";

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error("usage: node lists.mjs BASE_URL OUT_DIR");
  process.exit(2);
}
const browser = await openChromium(base, out, { acceptDownloads: true });
const { report } = browser;
report.lists = {};
let failure = null;

// What a list page shows: its title, the tab marked current, the rows (each cell's text and
// link, and the heading of its group where the page says a column once for a run of rows: a
// statistic's series), the group headings in order, the count line, the paging links, and
// whether the table fits the window.
function seen(page) {
  return page.evaluate(() => {
    const cell = (el) => ({
      text: el.innerText.trim(),
      href: el.querySelector("a")?.getAttribute("href") ?? null,
    });
    const headings = [...document.querySelectorAll("#rows tr.group th")];
    const grouped = [...new Set(headings.map((th) => th.dataset.column))];
    const heads = [...document.querySelectorAll("#rows thead th")].map((th) => th.innerText.trim());
    const rows = [...document.querySelectorAll("#rows tbody tr:not(.group)")].map((tr) => {
      const heading = tr.parentElement.querySelector("tr.group th");
      return Object.fromEntries([
        ...(heading ? [[heading.dataset.column, cell(heading)]] : []),
        ...[...tr.cells].map((td, i) => [heads[i], cell(td)]),
      ]);
    });
    return {
      title: document.querySelector("h1").innerText,
      current: document.querySelector('.lists a[aria-current="page"]')?.innerText ?? null,
      columns: [...grouped, ...heads],
      groups: headings.map((th) => th.innerText.trim()),
      rows,
      shown: document.querySelector("#shown").innerText,
      next: document.querySelector("#next")?.getAttribute("href") ?? null,
      first: document.querySelector("#first")?.getAttribute("href") ?? null,
      csv: document.querySelector("#csv").getAttribute("href"),
      none: document.querySelector("#none")?.innerText ?? null,
      overflows: document.documentElement.scrollWidth > window.innerWidth,
    };
  });
}

try {
  const page = browser.watch(browser.context.pages()[0] ?? (await browser.context.newPage()));

  // The landing page's counts lead to the lists.
  await page.goto(`${base}/`, { waitUntil: "load" });
  await page.click('a[href="/acts"]');
  await page.waitForLoadState("load");
  report.fromLanding = page.url();

  for (const kind of ["acts", "meetings", "statements", "statistics", "sources"]) {
    await page.goto(`${base}/${kind}`, { waitUntil: "load" });
    report.lists[kind] = await seen(page);
    await browser.shot(page, `${kind}.png`);
    // The CSV, from its link, as a browser downloads it.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#csv")]);
    report.lists[kind].download = {
      name: download.suggestedFilename(),
      lines: readFileSync(await download.path(), "utf-8").trim().split("\n").length,
    };
  }

  // Filter with the form: the acts under examination, newest first.
  await page.goto(`${base}/acts`, { waitUntil: "load" });
  await page.selectOption('select[name="status"]', "under-examination");
  await page.selectOption('select[name="sort"]', "-date");
  await Promise.all([page.waitForNavigation(), page.click('#filters button[type="submit"]')]);
  report.filtered = { url: page.url(), ...(await seen(page)) };
  await browser.shot(page, "acts-filtered.png");

  // A date range with nothing in it says so, and offers the whole list.
  await page.goto(`${base}/meetings`, { waitUntil: "load" });
  await page.fill('input[name="from"]', "2031-01-01");
  await Promise.all([page.waitForNavigation(), page.click('#filters button[type="submit"]')]);
  report.empty = { url: page.url(), ...(await seen(page)) };

  // Page through the acts four at a time, and back to the first page.
  await page.goto(`${base}/acts?limit=4`, { waitUntil: "load" });
  const first = await seen(page);
  await Promise.all([page.waitForNavigation(), page.click("#next")]);
  const second = await seen(page);
  await browser.shot(page, "acts-page-2.png");
  await Promise.all([page.waitForNavigation(), page.click("#first")]);
  const again = await seen(page);
  report.paging = {
    first: first.rows.map((r) => r.act.href),
    second: second.rows.map((r) => r.act.href),
    again: again.rows.map((r) => r.act.href),
    secondShown: second.shown,
  };

  // A row's evidence leads to the sentence on its source's page.
  await page.goto(`${base}/statements?speaker=person/pav-sina`, { waitUntil: "load" });
  report.speaker = await seen(page);
  await browser.shot(page, "statements-pav-sina.png");
  await Promise.all([page.waitForNavigation(), page.click("#rows tbody tr:first-child td.c-evidence a")]);
  report.evidence = { url: page.url(), target: await page.evaluate(() => document.querySelector(":target")?.innerText ?? null) };
} catch (err) {
  failure = err;
} finally {
  await browser.close(failure);
}
