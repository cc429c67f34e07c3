// The dashboard's map in a real Chromium against a real hub (issue 15 items 3-5): it draws the
// bundled offline style with the network to the outside blocked, zooms (the scale bar changes),
// finds a hospital and pins it with its district, takes a pin placed and moved by keyboard alone
// all the way to a stored report, opens a marker's item without moving the report pin, and
// switches to an operator's style with CITYSTREAM_MAP_STYLE_URL (whose origin the CSP then
// allows). Screenshots: test/artifacts/map-*.png.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, chromiumAvailable, launchBrowser, openPage, saveScreenshot } from './support/browser.ts';
import { DEMO_WITHOUT_CAMERAS, startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';

const chromium = chromiumAvailable();
const EN = { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, locale: 'en-US' };

/** Aborts every request that leaves the hub's origin, and lists them: the offline map makes none. */
async function blockOutside(page: Page, origin: string): Promise<string[]> {
  const outside: string[] = [];
  await page.context().route(
    (url) => url.origin !== origin && url.protocol !== 'blob:' && url.protocol !== 'data:',
    (route) => {
      outside.push(route.request().url());
      return route.abort('internetdisconnected');
    },
  );
  return outside;
}

/** A marker of this kind in view, expanding clusters (each click zooms in on one) until one shows. */
async function markerOf(page: Page, kind: string) {
  const marker = page.locator(`#map .pin-${kind}`).first();
  for (let i = 0; i < 6 && (await marker.count()) === 0; i++) {
    await page.locator('#map .map-cluster').first().click();
    await settled(page);
    await marker.waitFor({ timeout: 2000 }).catch(() => undefined);
  }
  return marker;
}

/** The map stopped moving (markers sit where they will be clicked). */
const settled = (page: Page) => page.locator('#map[data-idle="true"]').waitFor();

const ready = (page: Page) => page.locator('#map[data-state="ready"]').waitFor({ timeout: 30_000 });

describe.skipIf(!chromium)('dashboard map (Chromium, MapLibre)', () => {
  let hub: HubProcess;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startHubOnAnyDatabase({
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-map-')),
        ...DEMO_WITHOUT_CAMERAS,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop('SIGKILL');
  });

  it(
    'renders the offline style with the outside network blocked, and zooms',
    { timeout: 90_000 },
    async () => {
      const context = await browser.newContext(EN);
      const page = await context.newPage();
      const outside = await blockOutside(page, new URL(hub.url).origin);
      await page.goto(`${hub.url}/#guangzhou`);
      await ready(page);
      expect(await page.locator('#map').getAttribute('data-style')).toBe('citystream-offline');
      await expect.poll(() => page.locator('.map-district-main').allTextContents()).toContain('Tianhe');
      // The districts are drawn: the canvas is not one flat colour.
      // The district polygons were drawn (MapLibre reports what it rendered in view).
      await expect
        .poll(() => page.locator('#map').getAttribute('data-rendered-districts'))
        .toMatch(/^[1-9]\d*$/);

      const scale = page.locator('.maplibregl-ctrl-scale');
      const before = await scale.textContent();
      await page.getByRole('button', { name: 'Zoom in', exact: true }).click();
      await expect.poll(() => scale.textContent()).not.toBe(before);
      const zoomedIn = await scale.textContent();
      await page.getByRole('button', { name: 'Zoom out', exact: true }).click();
      await page.getByRole('button', { name: 'Zoom out', exact: true }).click();
      await expect.poll(() => scale.textContent()).not.toBe(zoomedIn);
      expect(outside).toEqual([]);
      await context.close();
    },
  );

  it(
    'finds a hospital, pins it and names its district; a marker opens its item and leaves the pin',
    { timeout: 90_000 },
    async () => {
      const { page, context, problems } = await openPage(browser, `${hub.url}/#shenzhen`, EN);
      await ready(page);
      // A search input with suggestions is a combobox to assistive technology.
      const search = page.getByRole('combobox', { name: 'Find a place' });
      // An air station by its Chinese name, on the English page.
      await search.fill('深圳洪湖');
      await search.press('Enter');
      await expect.poll(() => page.locator('#map').getAttribute('data-district')).toBe('罗湖区');
      await search.fill('Peking University Shenzhen');
      await search.press('Enter');
      await expect.poll(() => page.locator('#map').getAttribute('data-district')).toBe('福田区');
      expect(await page.locator('.map-caption').textContent()).toContain('Futian · 22.55830, 114.04690');
      await page.locator('[data-form="report"]').waitFor();
      // The report form shows the place by its district too.
      await expect
        .poll(() => page.locator('[data-testid="report-pin"]').textContent())
        .toBe('22.55830, 114.04690 · Futian');
      const where = await page.locator('.map-caption').textContent();

      // An air station marker (zoomed out, clusters expanded until one shows): its card is
      // revealed, and the report pin stays where it was.
      for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom out', exact: true }).click();
      await settled(page);
      const station = await markerOf(page, 'station');
      const stationId = await station.getAttribute('data-pin');
      await station.click();
      await expect
        .poll(() => page.locator(`[data-station="${stationId}"]`).getAttribute('class'))
        .toMatch(/revealed/);
      await page.locator('.maplibregl-popup .popup-open').waitFor();
      expect(await page.locator('.map-caption').textContent()).toBe(where);
      expect(await page.locator('#map').getAttribute('data-district')).toBe('福田区');
      await saveScreenshot(page, 'map-en-desktop');
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it(
    'takes a pin placed and moved by keyboard alone to a stored report with its district',
    { timeout: 90_000 },
    async () => {
      const { page, context, problems } = await openPage(browser, `${hub.url}/#foshan`, EN);
      await ready(page);
      // Tab onto the map (as a keyboard user reaches it), Enter pins its centre, arrows move the pin.
      await page.locator('#map canvas').focus();
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-pin')))
        .toBe('report');
      const caption = page.locator('.map-caption');
      await expect.poll(() => caption.textContent()).toMatch(/· 2\d\.\d{5}, 11\d\.\d{5}$/);
      const first = await caption.textContent();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowUp');
      await expect.poll(() => caption.textContent()).not.toBe(first);
      const [, lat, lon] = /(\d+\.\d+), (\d+\.\d+)$/.exec((await caption.textContent())!)!.map(Number);
      const district = await page.locator('#map').getAttribute('data-district');
      expect(district).toMatch(/区$/);

      const form = page.locator('[data-form="report"]');
      await form.locator('[name="description"]').fill('Street light out on the corner');
      await form.locator('[name="reporterName"]').fill('Keyboard Resident');
      await form.locator('[name="reporterPhone"]').fill('13800138000');
      await form.locator('[name="reporterPhone"]').press('Enter');
      await expect.poll(() => form.locator('[data-testid="report-result"]').textContent()).toMatch(/inc_\w+/);
      const id = /(inc_\w+)/.exec((await form.locator('[data-testid="report-result"]').textContent())!)![1]!;
      const stored = (await (await fetch(`${hub.url}/v1/incidents/${id}`)).json()) as {
        lat: number;
        lon: number;
        district: { zh: string } | null;
      };
      expect(stored).toMatchObject({ lat, lon });
      expect(stored.district?.zh).toBe(district);
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('fits a phone: full-width tall map, then the report form', { timeout: 90_000 }, async () => {
    const { page, context, problems } = await openPage(browser, `${hub.url}/#shenzhen`, {
      ...PHONE,
      locale: 'zh-CN',
    });
    await ready(page);
    const map = (await page.locator('#map .map-canvas').boundingBox())!;
    const viewport = page.viewportSize()!;
    expect(map.width).toBeGreaterThan(viewport.width - 40);
    expect(map.height).toBeGreaterThan(viewport.height * 0.5);
    const citizen = (await page.locator('#citizen').boundingBox())!;
    const air = (await page.locator('#air').boundingBox())!;
    expect(citizen.y).toBeLessThan(air.y);
    await saveScreenshot(page, 'map-zh-phone');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe.skipIf(!chromium)('dashboard map with CITYSTREAM_MAP_STYLE_URL', () => {
  let hub: HubProcess;
  let browser: Browser;
  let styleServer: Server;

  beforeAll(async () => {
    // The operator's style, on another origin: a plain background, no tiles.
    styleServer = createServer((req, res) => {
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          version: 8,
          name: 'operator-test-style',
          sources: {},
          layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#ffd8a8' } }],
        }),
      );
    });
    await new Promise<void>((resolve) => styleServer.listen(0, '127.0.0.1', resolve));
    const port = (styleServer.address() as AddressInfo).port;
    [hub, browser] = await Promise.all([
      startHubOnAnyDatabase({
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-map-style-')),
        ...DEMO_WITHOUT_CAMERAS,
        CITYSTREAM_MAP_STYLE_URL: `http://127.0.0.1:${port}/style.json`,
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop('SIGKILL');
    await new Promise((resolve) => styleServer?.close(resolve));
  });

  it(
    'loads the configured style, with the district boundaries on top and no CSP refusal',
    { timeout: 90_000 },
    async () => {
      const { page, context, problems } = await openPage(browser, `${hub.url}/#shenzhen`, EN);
      await ready(page);
      expect(await page.locator('#map').getAttribute('data-style')).toBe('operator-test-style');
      const csp = (await fetch(`${hub.url}/`)).headers.get('content-security-policy')!;
      expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
      await expect.poll(() => page.locator('.map-district-main').allTextContents()).toContain('Futian');
      expect(problems).toEqual([]);
      await context.close();
    },
  );
});
