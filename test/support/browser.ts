// Debian's Chromium headless shell driven by playwright-core (no browser download): the dashboard
// tests open the real page of a real hub, as a person would. A missing Chromium skips the suite
// locally and fails it under REQUIRE_SERVICES=1, like the other service-backed suites.
// The headless shell (package chromium-headless-shell, the same Blink, V8 and SwiftShader WebGL
// as the full browser) is what Playwright itself runs headless: measured on this machine
// (2026-12-06, the demo dashboard loaded to network idle in a new context, 12 loads), 0.58-0.65
// core-s of browser CPU per load against 1.05-1.09 for /usr/bin/chromium in headless mode.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, devices, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { requireServices } from './services.ts';

export const CHROMIUM_PATH = '/usr/bin/chromium-headless-shell';
/** The full browser (package chromium), headless: the shell has no notification platform. */
export const FULL_CHROMIUM_PATH = '/usr/bin/chromium';
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));
export const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url));

export const DESKTOP = { viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 };
export const PHONE = devices['Pixel 7'];

type BrowserKind = 'shell' | 'full';
const PATHS: Record<BrowserKind, string> = { shell: CHROMIUM_PATH, full: FULL_CHROMIUM_PATH };

/** Chromium's path when installed; null (skip) when not and services are optional. */
export function chromiumAvailable(kind: BrowserKind = 'shell'): string | null {
  const path = PATHS[kind];
  if (existsSync(path)) return path;
  if (requireServices) {
    throw new Error(`REQUIRE_SERVICES=1 but Chromium is not at ${path}; run scripts/services up`);
  }
  return null;
}

export interface LaunchOptions {
  /**
   * false: a browser without WebGL, as some phones and locked-down office PCs are; the dashboard
   * shows the map's fallback (a caption; search and "my location" still place the report pin).
   * For files that look at no map: setting up WebGL and drawing the map on SwiftShader is about
   * half of the browser's CPU per dashboard load (measured 2026-12-07: the six such files, 110 →
   * 80 core-s in all).
   */
  webgl?: boolean;
}

/** 'full' only where the shell lacks something a test needs (shown notifications). */
export function launchBrowser(
  kind: BrowserKind = 'shell',
  { webgl = true }: LaunchOptions = {},
): Promise<Browser> {
  // --no-sandbox: tests run as root in CI containers, where Chromium's sandbox cannot start.
  const args = ['--no-sandbox', ...(webgl ? [] : ['--disable-webgl'])];
  return chromium.launch({ executablePath: PATHS[kind], args });
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and failed requests: a healthy page has none. */
  problems: string[];
}

export async function openPage(
  browser: Browser,
  url: string,
  options: Parameters<Browser['newContext']>[0] = DESKTOP,
): Promise<OpenedPage> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // A Content-Security-Policy refusal only shows in the console, and breaks what it refused.
    if (msg.type() === 'error' && msg.text().includes('Content Security Policy')) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('requestfailed', (req) => {
    // Image swaps and aborted fetches on city change are cancelled on purpose.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  await page.goto(url);
  return { context, page, problems };
}

/** Saves a PNG under test/artifacts/ (git-ignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * The README's screenshot (docs/dashboard.png, committed): written when missing or when
 * UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the working tree clean.
 */
export async function saveDocsScreenshot(page: Page): Promise<boolean> {
  if (existsSync(DOCS_SCREENSHOT) && process.env.UPDATE_SCREENSHOTS !== '1') return false;
  mkdirSync(dirname(DOCS_SCREENSHOT), { recursive: true });
  await page.screenshot({ path: DOCS_SCREENSHOT, animations: 'disabled' });
  return true;
}
