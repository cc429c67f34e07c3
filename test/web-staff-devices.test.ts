// Cameras and stations in the staff console, in Chromium, as staff use them: the demo camera shows
// online live with the worker that runs it, a camera whose source does not exist shows "error"
// with ffmpeg's reason, a camera's pipeline metrics open as a chart; a station added with a point
// outside its city gets the error under the latitude field with the input kept, then is saved,
// disabled and deleted (two clicks); a camera registered while the tab is open joins the list
// without a reload. The same tab in Chinese on a phone. Screenshots under
// test/artifacts/staff-devices-*.png.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { chromiumAvailable, DESKTOP, launchBrowser, PHONE, saveScreenshot } from './support/browser.ts';
import { cityData, englishOnPage } from './support/english.ts';
import { startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';

const chromium = chromiumAvailable();
const SECRET = 'staff-devices-test-secret-0123456789abcdef';

describe.skipIf(!chromium)(
  'cameras and stations in the staff console (Chromium)',
  { timeout: 180_000 },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'staff-devices-'));
    let hub: HubProcess;
    let browser: Browser;
    let token: string;

    const devicesTab = async (options: Parameters<Browser['newContext']>[0]) => {
      const context = await browser.newContext(options);
      await context.addInitScript((t) => localStorage.setItem('citystream.staffToken', t), token);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${hub.url}/staff`);
      await page.locator('[data-tab="devices"]').click();
      return { page, problems };
    };
    const camera = (page: Page, id: string) => page.locator(`[data-list="cameras"] > li[data-id="${id}"]`);
    const station = (page: Page, id: string) => page.locator(`[data-list="stations"] > li[data-id="${id}"]`);

    beforeAll(async () => {
      const file = join(dir, 'cameras.json');
      writeFileSync(
        file,
        JSON.stringify([
          {
            id: 'SZ-TEST-GONE',
            name: 'Camera whose source is unreachable',
            city: 'shenzhen',
            lat: 22.54,
            lon: 114.05,
            // Nothing listens there: ffmpeg fails to connect, and says so.
            url: 'rtsp://127.0.0.1:9/junction',
            snapshotIntervalSeconds: 1,
          },
        ]),
      );
      [hub, browser] = await Promise.all([
        startHubOnAnyDatabase({
          CITYSTREAM_DATA_DIR: join(dir, 'data'),
          CITYSTREAM_DEMO: '1',
          CITYSTREAM_CAMERAS_FILE: file,
          CITYSTREAM_JWT_SECRET: SECRET,
        }),
        // WebGL off: this file looks at no map (test/support/browser.ts, LaunchOptions)
        launchBrowser('shell', { webgl: false }),
      ]);
      token = await mintToken(SECRET, { sub: 'desk-3', role: 'staff' });
    }, 90_000);
    afterAll(async () => {
      await browser?.close();
      await hub?.stop('SIGKILL');
    });

    it('shows cameras live with their worker, a failed one with the reason, and a camera metrics chart', async () => {
      const { page, problems } = await devicesTab(DESKTOP);
      const demo = camera(page, 'SZ-CAM-01');
      await expect.poll(() => demo.getAttribute('data-status'), { timeout: 60_000 }).toBe('online');
      await expect(demo.textContent()).resolves.toMatch(/run by \S+/);
      const gone = camera(page, 'SZ-TEST-GONE');
      await expect.poll(() => gone.getAttribute('data-status'), { timeout: 60_000 }).toBe('error');
      // ffmpeg's own reason, shown as data.
      await expect(gone.locator('.staff-reason code').textContent()).resolves.toMatch(
        /Connection to tcp:\/\/127\.0\.0\.1:9/,
      );

      // The pipeline samples every 5 s: the chart appears once there is one.
      await expect
        .poll(
          async () => {
            await demo.locator('[data-action="metrics"]').click();
            await page
              .locator('.staff-device-side :is(.staff-metrics-chart, .muted, .error)')
              .first()
              .waitFor();
            return page.locator('.staff-metrics-chart canvas').count();
          },
          { timeout: 40_000, interval: 5_000 },
        )
        .toBeGreaterThan(0);
      await expect(page.locator('.staff-metrics-summary').textContent()).resolves.toMatch(
        /kbit\/s in, \d+ snapshots/,
      );
      await saveScreenshot(page, 'staff-devices-desktop');
      expect(problems).toEqual([]);
    });

    it('adds a station after a mistake, then disables and deletes it', async () => {
      const { page, problems } = await devicesTab(DESKTOP);
      await page.locator('[data-add="station"]').click();
      const form = page.locator('form.staff-device-form');
      await form.locator('input[name="id"]').fill('SZ-DESK-01');
      await form.locator('input[name="name"]').fill('Civic Centre rooftop');
      await form.locator('input[name="nameZh"]').fill('市民中心楼顶');
      // Guangzhou's coordinates for a Shenzhen station: the hub refuses the point, naming the field.
      await form.locator('input[name="lat"]').fill('23.13');
      await form.locator('input[name="lon"]').fill('113.26');
      await form.locator('button[type="submit"]').click();
      await form.getByText('Not saved: correct the marked fields.').waitFor();
      const latError = form.locator('input[name="lat"][aria-invalid="true"]');
      await latError.waitFor();
      expect(await form.locator('input[name="name"]').inputValue()).toBe('Civic Centre rooftop');
      await saveScreenshot(page, 'staff-devices-form-error');

      await form.locator('input[name="lat"]').fill('22.543');
      await form.locator('input[name="lon"]').fill('114.058');
      await form.locator('button[type="submit"]').click();
      await page.getByText('Station SZ-DESK-01 saved.').waitFor();
      const row = station(page, 'SZ-DESK-01');
      await expect.poll(() => row.getAttribute('data-status')).toBe('enabled');

      const stored = async () =>
        ((await (await fetch(`${hub.url}/v1/air/stations/SZ-DESK-01`)).json()) as { names: unknown }).names;
      expect(await stored()).toEqual({ 'zh-CN': '市民中心楼顶' });

      await row.locator('[data-action="disable"]').click();
      await page.getByText('SZ-DESK-01 disabled.').waitFor();
      await expect.poll(() => row.getAttribute('data-status')).toBe('disabled');
      // Disabling sends the station back whole: its Chinese name stays.
      expect(await stored()).toEqual({ 'zh-CN': '市民中心楼顶' });

      await row.locator('[data-action="delete"]').click();
      await row.getByText('Delete SZ-DESK-01? Click again').waitFor();
      await row.locator('[data-action="delete"]').click();
      await page.getByText('Station SZ-DESK-01 deleted; its readings are kept.').waitFor();
      await row.waitFor({ state: 'detached' });
      expect((await fetch(`${hub.url}/v1/air/stations/SZ-DESK-01`)).status).toBe(404);
      expect(problems).toEqual([]);
    });

    it('lists a camera another desk registers while the tab is open, without a reload', async () => {
      const { page, problems } = await devicesTab(DESKTOP);
      await camera(page, 'SZ-TEST-GONE').waitFor();
      const res = await fetch(`${hub.url}/v1/cameras`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'SZ-TEST-LATE',
          name: 'Camera registered after the list was read',
          city: 'shenzhen',
          lat: 22.55,
          lon: 114.06,
          url: 'rtsp://127.0.0.1:9/late',
          snapshotIntervalSeconds: 1,
        }),
      });
      expect(res.status).toBe(201);
      // Its first status event brings it in; the list is read once more, not reloaded.
      const late = camera(page, 'SZ-TEST-LATE');
      await expect.poll(() => late.getAttribute('data-status'), { timeout: 30_000 }).toBe('error');
      await expect(late.textContent()).resolves.toContain('Camera registered after the list was read');
      expect(problems).toEqual([]);
    });

    it('is in Chinese on a zh-CN phone', async () => {
      const { page, problems } = await devicesTab({ ...PHONE, locale: 'zh-CN' });
      await page.getByRole('heading', { name: '摄像头', exact: true }).waitFor();
      const demo = camera(page, 'SZ-CAM-01');
      await expect.poll(() => demo.getAttribute('data-status'), { timeout: 60_000 }).toBe('online');
      expect(await demo.locator('[data-field="status"]').textContent()).toBe('在线');
      // The demo camera under its Chinese name.
      expect(await demo.locator('strong').textContent()).toBe('深南大道/华强路');
      // No English beyond the city's data (names, ids) and what the page marks as data.
      expect(await englishOnPage(page, await cityData(hub.url, 'shenzhen'))).toEqual([]);
      await saveScreenshot(page, 'staff-devices-phone-zh');
      expect(problems).toEqual([]);
    });
  },
);
