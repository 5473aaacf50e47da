// What the browser scripts share: Debian's chromium through playwright-core at 1400×1000 in a
// fresh profile, a report of console errors, failed requests, requests to another host (nothing
// may load from outside the app) and dialogs (dismissed), and screenshots saved in the output
// folder. Every script of tests/browser/ is run the same way, by tests/chromium.py:
//
//   node tests/browser/SCRIPT.mjs BASE_URL OUT_DIR [ARGS...]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

// A script's arguments: BASE_URL, OUT_DIR and then ``names``, each required; else its usage
// line, and exit status 2.
export function scriptArgs(script, ...names) {
  const all = ["BASE_URL", "OUT_DIR", ...names];
  const values = process.argv.slice(2);
  if (all.some((_, i) => !values[i])) {
    console.error(`usage: node ${script} ${all.join(" ")}`);
    process.exit(2);
  }
  return values;
}

export async function openChromium(base, out, { acceptDownloads = false } = {}) {
  const origin = new URL(base).origin;
  const report = { consoleErrors: [], failedRequests: [], foreignRequests: [], dialogs: [], steps: [], shots: [] };
  const profile = mkdtempSync(join(tmpdir(), "chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    timeout: 60_000,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const browser = {
    context,
    report,
    // Record what a page does wrong: console errors, failed requests, requests elsewhere,
    // dialogs. ``where`` prefixes its console errors and dialogs (for scripts with several
    // pages); ``expected(url, status)`` is true of the answers a script asks for on purpose
    // (a wrong name, a wrong query): an error status of those, or a console error of their
    // URL (then ``status`` is undefined), is not reported.
    watch(page, { where = "", expected = () => false } = {}) {
      const at = where ? `${where}: ` : "";
      page.setDefaultTimeout(30_000);
      page.on("console", (msg) => {
        if (msg.type() === "error" && !expected(msg.location().url)) {
          report.consoleErrors.push(`${at}${msg.text()} (${msg.location().url})`);
        }
      });
      page.on("pageerror", (err) => report.consoleErrors.push(`${at}${err}`));
      page.on("dialog", (dialog) => {
        report.dialogs.push(`${at}${dialog.type()} ${dialog.message()}`);
        dialog.dismiss().catch(() => {});
      });
      page.on("request", (req) => {
        const u = req.url();
        if (/^https?:/.test(u) && new URL(u).origin !== origin) report.foreignRequests.push(u);
      });
      page.on("requestfailed", (req) => report.failedRequests.push(`${req.url()} ${req.failure()?.errorText}`));
      page.on("response", (res) => {
        if (res.status() >= 400 && !expected(res.url(), res.status())) {
          report.failedRequests.push(`${res.url()} ${res.status()}`);
        }
      });
      return page;
    },
    // A screenshot in the output folder; its path.
    async shot(page, name, options = {}) {
      const path = join(out, name);
      await page.screenshot({ path, ...options });
      report.shots.push(name);
      return path;
    },
    // Close the browser, drop its profile and print the report (the test reads it); the exit
    // status says whether the script failed (not process.exit(): it would cut a report longer
    // than the pipe's buffer).
    async close(error) {
      if (error) report.error = String(error?.stack ?? error);
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      console.log(JSON.stringify(report));
      process.exitCode = report.error ? 1 : 0;
    },
    // The page the browser opened with, watched (options as for watch).
    async firstPage(options) {
      return browser.watch(context.pages()[0] ?? (await context.newPage()), options);
    },
  };
  return browser;
}
