// The cameras panel in Chromium, as a person uses it: a demo camera's tile opens the live view,
// which plays (video time advances, no error) and says how far behind live it is; a browser
// without Media Source Extensions gets refreshing snapshots instead; a camera whose snapshots
// stop turns "stale" on the page before its worker notices, and its tile says how old the
// picture is.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, PHONE, chromiumAvailable, launchBrowser, openPage } from './support/browser.ts';
import { hlsSource, type Source } from './support/camera-sources.ts';
import type { Generator } from '../modules/cameras/demo/generator.ts';
import { startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';

const chromium = chromiumAvailable();
const DESKTOP_1280 = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 };
// Phone-sized, at scale 1 so the screenshots stay small.
const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 };

/** What the person sees (the viewport, not the whole page): small PNGs under test/artifacts/. */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
}

describe.skipIf(!chromium)('camera tiles and the live player (Chromium)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-cameras-'));
  let hub: HubProcess;
  let browser: Browser;
  let source: Source & { generator: Generator };

  beforeAll(async () => {
    source = await hlsSource(join(dir, 'src'), { segmentSeconds: 1, gopSeconds: 1 });
    const file = join(dir, 'cameras.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          id: 'SZ-TEST-STALE',
          name: 'Test camera that stops',
          city: 'shenzhen',
          lat: 22.55,
          lon: 114.1,
          url: source.url,
          snapshotIntervalSeconds: 1,
          maxWidth: 320,
        },
      ]),
    );
    [hub, browser] = await Promise.all([
      startHubOnAnyDatabase({
        CITYSTREAM_DATA_DIR: join(dir, 'data'),
        CITYSTREAM_DEMO: '1',
        CITYSTREAM_CAMERAS_FILE: file,
        // The worker calls a camera stalled only after 60 intervals: the page must see it first.
        CITYSTREAM_CAMERAS_STALL_INTERVALS: '60',
      }),
      // WebGL off: this file looks at no map (test/support/browser.ts, LaunchOptions)
      launchBrowser('shell', { webgl: false }),
    ]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.stop('SIGKILL');
    await source?.stop();
  });

  async function onlineTile(page: Page, id: string) {
    const tile = page.locator(`[data-camera-tile="${id}"]`);
    await tile.scrollIntoViewIfNeeded({ timeout: 30_000 });
    await expect
      .poll(() => tile.locator('[data-field=status]').getAttribute('data-status'), { timeout: 60_000 })
      .toBe('online');
    return tile;
  }

  it('plays a demo camera live in the enlarged view, with its latency behind live', async () => {
    const { page, problems, context } = await openPage(browser, `${hub.url}/#shenzhen`, DESKTOP_1280);
    const tile = await onlineTile(page, 'SZ-CAM-01');
    await tile.locator('button.snapshot-open').click();
    const player = page.locator('[data-testid=camera-player]');
    await player.waitFor();
    await expect.poll(() => player.getAttribute('data-state'), { timeout: 30_000 }).toBe('live');
    const video = page.locator('[data-testid=camera-video]');
    const time = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
    const t0 = await time();
    await expect.poll(time, { timeout: 10_000 }).toBeGreaterThan(t0 + 1);
    expect(await video.evaluate((v: HTMLVideoElement) => v.error)).toBeNull();
    const latency = page.locator('[data-testid=camera-player] [data-field=latency]');
    await expect.poll(() => latency.getAttribute('data-seconds'), { timeout: 10_000 }).toMatch(/^\d/);
    const behind = Number(await latency.getAttribute('data-seconds'));
    console.log(`live view: ${behind.toFixed(2)} s behind the live edge`);
    expect(behind).toBeLessThan(10);
    await saveScreenshot(page, 'cameras-live-desktop');
    await page.setViewportSize(PHONE_390.viewport);
    await saveScreenshot(page, 'cameras-live-phone');
    // Closing stops playback: the dialog and its video are gone.
    await page.keyboard.press('Escape');
    await player.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('falls back to refreshing snapshots where video cannot play (phone without MSE)', async () => {
    const context = await browser.newContext(PHONE_390);
    // A browser with neither Media Source Extensions nor native HLS.
    await context.addInitScript(() => {
      Object.defineProperty(window, 'MediaSource', { value: undefined });
      Object.defineProperty(window, 'ManagedMediaSource', { value: undefined });
      HTMLMediaElement.prototype.canPlayType = () => '';
    });
    const page = await context.newPage();
    await page.goto(`${hub.url}/#shenzhen`);
    const tile = await onlineTile(page, 'SZ-CAM-01');
    await tile.locator('button.snapshot-open').click();
    const player = page.locator('[data-testid=camera-player]');
    await expect.poll(() => player.getAttribute('data-state')).toBe('fallback');
    const img = page.locator('[data-testid=camera-fallback]');
    await expect
      .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 15_000 })
      .toBeGreaterThan(0);
    const first = await img.getAttribute('src');
    await expect.poll(() => img.getAttribute('src'), { timeout: 10_000 }).not.toBe(first);
    await saveScreenshot(page, 'cameras-fallback-phone');
    await context.close();
  }, 120_000);

  it('turns a tile "stale" when snapshots stop, and says how old the picture is', async () => {
    const { page, context } = await openPage(browser, `${hub.url}/#shenzhen`, PHONE_390);
    const tile = await onlineTile(page, 'SZ-TEST-STALE');
    const age = tile.locator('[data-field=last-update]');
    await expect.poll(() => age.getAttribute('data-age-seconds'), { timeout: 15_000 }).toMatch(/^[0-3]$/);
    // The camera freezes: its HTTP server stays up, its playlist stops growing (no error to see).
    await source.generator.stop();
    const stoppedAt = Date.now();
    const badge = tile.locator('[data-field=status]');
    await expect.poll(() => badge.getAttribute('data-status'), { timeout: 20_000 }).toBe('stale');
    console.log(`tile stale ${Date.now() - stoppedAt} ms after its source stopped`);
    expect(Number(await age.getAttribute('data-age-seconds'))).toBeGreaterThanOrEqual(5);
    expect(await age.textContent()).toMatch(/\d+\s*(s|sec|秒)/);
    await tile.scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'cameras-stale-phone');
    await context.close();
  }, 120_000);
});
