// Honest "Live" in a real browser. The badge says Live only while events or heartbeats arrive: a
// network that silently stops carrying packets (a stalled TCP proxy, no socket closes) takes it
// off Live within the heartbeat bound, and the browser going offline takes it off at once; both
// recover with every event published meanwhile. Where WebSocket upgrades are blocked the page goes
// Live over SSE, and events published across the switch back to WebSocket show exactly once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { silenceBoundMs } from '../stream/client/protocol.ts';
import { TEST_JWT_SECRET } from './support/api.ts';
import { chromiumAvailable, DESKTOP, launchBrowser, PHONE, saveScreenshot } from './support/browser.ts';
import { startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';
import { deleteTestTopics } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const chromium = chromiumAvailable();
const kafka = chromium ? await serviceAvailable('kafka') : null;
const prefix = `test.weblive.${randomUUID().slice(0, 8)}.`;
const API_KEY = 'web-live-key-1';
const HEARTBEAT_MS = 1_000;
const BOUND_MS = silenceBoundMs(HEARTBEAT_MS);
const STATION = { id: 'SZ-LIVE-01', name: 'Nanshan live test', city: 'shenzhen', lat: 22.53, lon: 113.93 };

describe.skipIf(!chromium)(
  `honest Live badge and transport fallback (Chromium, ${kafka ? 'Kafka' : 'embedded bus'})`,
  () => {
    let hub: HubProcess;
    let proxy: TcpProxy;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    let pm25 = 10;

    /** Pushes readings with fresh PM2.5 values (one decimal, unique in this file); returns them. */
    const push = async (n: number): Promise<number[]> => {
      const values = Array.from({ length: n }, () => Math.round((pm25 += 1.1) * 10) / 10);
      const base = Date.now();
      const res = await fetch(`${hub.url}/v1/ingest/air`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify(
          values.map((v, i) => ({ stationId: STATION.id, time: new Date(base + i).toISOString(), pm25: v })),
        ),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
      return values;
    };
    /** PM2.5 values of this station's readings in the activity log, oldest first. */
    const shown = async (page: Page): Promise<number[]> => {
      const texts = await page
        .locator(`.activity [data-type="city.air.reading.v1"][data-ref="${STATION.id}"] .activity-text`)
        .allTextContents();
      return texts.map((t) => Number(/PM2\.5 ([\d.]+)/.exec(t)![1])).reverse();
    };
    const state = (page: Page) => page.locator('#connection').getAttribute('data-state');
    const open = async (url: string, options = DESKTOP, setup?: (c: BrowserContext) => Promise<void>) => {
      const context = await browser.newContext(options);
      contexts.push(context);
      await setup?.(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/#shenzhen`);
      await page.locator(`[data-station="${STATION.id}"]`).waitFor();
      return { context, page, errors };
    };

    beforeAll(async () => {
      [hub, browser] = await Promise.all([
        startHubOnAnyDatabase({
          CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-live-transports-')),
          CITYSTREAM_DEMO: '0',
          CITYSTREAM_JWT_SECRET: TEST_JWT_SECRET,
          CITYSTREAM_API_KEYS: `web-live:${API_KEY}`,
          CITYSTREAM_WS_HEARTBEAT_MS: String(HEARTBEAT_MS),
          ...(kafka ? { KAFKA_BROKERS: kafka.value, KAFKA_TOPIC_PREFIX: prefix } : {}),
        }),
        // WebGL off: this file looks at no map (test/support/browser.ts, LaunchOptions)
        launchBrowser('shell', { webgl: false }),
      ]);
      proxy = await startTcpProxy({ host: '127.0.0.1', port: hub.port });
      const staff = await mintToken(TEST_JWT_SECRET, { sub: 'web-live-staff', role: 'staff' });
      const created = await fetch(`${hub.url}/v1/air/stations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
        body: JSON.stringify(STATION),
      });
      expect(created.status, await created.text()).toBeLessThan(300);
      // A hub from sources and a browser on a shared, busy machine can take a while to start.
    }, 120_000);
    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      await proxy?.close();
      await hub?.stop('SIGKILL');
      if (kafka) await deleteTestTopics([kafka.value!], prefix);
    });

    it(`leaves Live within ${BOUND_MS} ms when the network silently stalls, and recovers with no missed event`, async () => {
      const { page, errors } = await open(proxy.url);
      await page.locator('#connection[data-state="open"][data-transport="websocket"]').waitFor();
      const before = await push(2);
      await expect.poll(() => shown(page)).toEqual(before);

      const stalledAt = Date.now();
      proxy.stall();
      await expect.poll(() => state(page), { timeout: BOUND_MS + 2_000, interval: 50 }).not.toBe('open');
      // The last heartbeat came at most one interval before the stall.
      expect(Date.now() - stalledAt).toBeLessThan(BOUND_MS + 500);
      const during = await push(3);
      await saveScreenshot(page, 'live-stalled-desktop');

      proxy.restore();
      await expect.poll(() => state(page), { timeout: 30_000 }).toBe('open');
      await expect.poll(() => shown(page), { timeout: 15_000 }).toEqual([...before, ...during]);
      await expect
        .poll(() => page.locator(`[data-station="${STATION.id}"] [data-field=pm25]`).textContent())
        .toBe(`PM2.5 ${during.at(-1)}`);
      expect(errors).toEqual([]);
    });

    it('shows Offline when the browser goes offline and recovers every event once it is back (phone)', async () => {
      const { context, page, errors } = await open(hub.url, PHONE);
      await page.locator('#connection[data-state="open"]').waitFor();
      const before = await push(1);
      await expect.poll(() => shown(page)).toEqual(before);

      await context.setOffline(true);
      await expect.poll(() => state(page), { timeout: BOUND_MS }).toBe('offline');
      expect(await page.locator('#connection').textContent()).toContain('Offline');
      const during = await push(3);
      await saveScreenshot(page, 'live-offline-phone');

      await context.setOffline(false);
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('open');
      await expect.poll(() => shown(page), { timeout: 15_000 }).toEqual([...before, ...during]);
      await saveScreenshot(page, 'live-recovered-phone');
      expect(errors).toEqual([]);
    });

    it('goes Live over SSE when WebSocket upgrades are blocked; events across the switch back show exactly once', async () => {
      let blocked = true;
      let upgrades = 0;
      const { context, page, errors } = await open(hub.url, DESKTOP, (c) =>
        // A proxy that refuses WebSocket upgrades; later the network lets them through.
        c.routeWebSocket(/\/ws$/, (ws) => {
          upgrades++;
          if (blocked) void ws.close({ code: 1006 });
          else ws.connectToServer();
        }),
      );
      await page.locator('#connection[data-state="open"][data-transport="sse"]').waitFor();
      expect(upgrades).toBeGreaterThan(0);
      expect(await page.locator('#connection').textContent()).toContain('Live');
      expect(await page.locator('#connection').textContent()).toContain('over SSE');
      await saveScreenshot(page, 'live-over-sse-desktop');

      // Readings keep coming, over SSE, through an outage, and over WebSocket after it.
      const published: number[] = [];
      let publishing = true;
      const publisher = (async () => {
        while (publishing) {
          published.push(...(await push(1)));
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await expect.poll(async () => (await shown(page)).length, { timeout: 15_000 }).toBeGreaterThan(3);
      blocked = false;
      // Back online, the page starts again from the best transport.
      await context.setOffline(true);
      await expect.poll(() => state(page)).toBe('offline');
      await new Promise((r) => setTimeout(r, 500));
      await context.setOffline(false);
      await page
        .locator('#connection[data-state="open"][data-transport="websocket"]')
        .waitFor({ timeout: 15_000 });
      const switched = published.length;
      await expect.poll(() => published.length, { timeout: 10_000 }).toBeGreaterThan(switched + 3);
      publishing = false;
      await publisher;
      await expect.poll(() => shown(page), { timeout: 15_000 }).toEqual(published);
      expect(errors).toEqual([]);
    });
  },
);
