// The dashboard in a real browser against a real hub: it is served with the right caching
// headers, loads without errors, goes live over /ws, switches cities, signs a citizen in (demo
// mode), and fits a phone. Screenshots of both views land in test/artifacts/.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, chromiumAvailable, launchBrowser, openPage, saveScreenshot } from './support/browser.ts';
import { startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

const chromium = chromiumAvailable();

describe.skipIf(!chromium)('dashboard page (Chromium)', () => {
  let hub: HubProcess;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startHubOnAnyDatabase({
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-')),
        CITYSTREAM_DEMO: '1',
      }),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop('SIGKILL');
  });

  it('serves index.html revalidated and hashed assets cached for a year', async () => {
    const index = await fetch(`${hub.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const assets = [...html.matchAll(/\/assets\/main-[A-Z0-9]+\.(?:js|css)/g)].map((m) => m[0]);
    expect(assets).toHaveLength(2);
    for (const a of assets) {
      const res = await fetch(`${hub.url}${a}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${hub.url}/assets/main-NOSUCHFILE.js`)).status).toBe(404);
  });

  it('loads, switches city, and signs a citizen in', async () => {
    const { page, context, problems } = await openPage(browser, `${hub.url}/`);
    await expect.poll(() => page.title()).toContain('citystream');
    // The live link (client SDK over /ws) comes up and says so.
    await expect.poll(() => page.locator('#connection').getAttribute('data-state')).toBe('open');
    expect(await page.locator('#connection').textContent()).toContain('Live');
    for (const id of ['air', 'map', 'cameras', 'incidents', 'citizen', 'activity']) {
      await page.locator(`#${id}`).waitFor();
    }
    expect(await page.locator('#city option').allTextContents()).toEqual([
      'Shenzhen 深圳',
      'Guangzhou 广州',
      'Foshan 佛山',
    ]);
    // The map (web/src/map) names the districts; an English browser reads them in English first.
    await expect.poll(() => page.locator('#map').getAttribute('data-city')).toBe('shenzhen');
    await expect.poll(() => page.locator('.map-district-main').allTextContents()).toContain('Futian');

    await page.selectOption('#city', 'guangzhou');
    await expect.poll(() => page.locator('#map').getAttribute('data-city')).toBe('guangzhou');
    expect(await page.locator('.map-district-main').allTextContents()).toContain('Tianhe');
    expect(new URL(page.url()).hash).toBe('#guangzhou');

    await page.locator('#account input[name=name]').fill('web-test-citizen');
    await page.locator('#account button[type=submit]').click();
    await page.locator('#account [data-user="web-test-citizen"]').waitFor();
    // The session survives a reload (kept in localStorage until the token expires).
    await page.reload();
    await page.locator('#account [data-user="web-test-citizen"]').waitFor();
    expect(await page.locator('#city').inputValue()).toBe('guangzhou');

    // Signing in subscribes the private user channel; the gateway accepts it (no error shown).
    await expect.poll(() => page.locator('#connection').getAttribute('data-state')).toBe('open');
    expect(await page.locator('#connection .connection-detail').textContent()).toBe('');

    await saveScreenshot(page, 'dashboard-desktop');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const { page, context, problems } = await openPage(browser, `${hub.url}/#foshan`, PHONE);
    await expect.poll(() => page.locator('#map').getAttribute('data-city')).toBe('foshan');
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    // Panels stack in one column on a phone: the map first, then the services (report form),
    // then the rest, so reporting never means scrolling past unrelated panels.
    const boxes = await Promise.all(['#map', '#citizen', '#air'].map((s) => page.locator(s).boundingBox()));
    expect(boxes[1]!.y).toBeGreaterThan(boxes[0]!.y + boxes[0]!.height - 1);
    expect(boxes[2]!.y).toBeGreaterThan(boxes[1]!.y + boxes[1]!.height - 1);
    await saveScreenshot(page, 'dashboard-phone');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the connection dropping and coming back when the network is cut', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: hub.port });
    try {
      const { page, context } = await openPage(browser, `${proxy.url}/#shenzhen`);
      const state = () => page.locator('#connection').getAttribute('data-state');
      await expect.poll(state).toBe('open');
      proxy.sever();
      await expect.poll(state).toBe('reconnecting');
      expect(await page.locator('#connection').textContent()).toContain('Reconnecting');
      proxy.restore();
      await expect.poll(state, { timeout: 20_000 }).toBe('open');
      await context.close();
    } finally {
      await proxy.close();
    }
  });

  it('refuses a malformed user id for the demo sign-in with the field named', async () => {
    const res = await fetch(`${hub.url}/v1/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'not ok' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [{ in: 'body', field: 'sub' }] });
  });
});
