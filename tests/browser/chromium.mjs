// What the browser scripts share: Debian's chromium through playwright-core at 1400×1000 in a
// fresh profile, a report of console errors, failed requests and requests to another host
// (nothing may load from outside the app), and screenshots saved in the output folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export async function openChromium(base, out, { acceptDownloads = false } = {}) {
  const origin = new URL(base).origin;
  const report = { consoleErrors: [], failedRequests: [], foreignRequests: [], steps: [], shots: [] };
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
  return {
    context,
    report,
    // Record what a page does wrong: console errors, failed requests, requests elsewhere.
    watch(page) {
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
      return page;
    },
    // A screenshot in the output folder; its path.
    async shot(page, name, options = {}) {
      const path = join(out, name);
      await page.screenshot({ path, ...options });
      report.shots.push(name);
      return path;
    },
    // Close the browser, drop its profile and print the report (the test reads it).
    async close(error) {
      if (error) report.error = String(error?.stack ?? error);
      await context.close();
      rmSync(profile, { recursive: true, force: true });
      console.log(JSON.stringify(report));
    },
  };
}
