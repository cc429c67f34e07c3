// The dashboard stays live in a real browser: a reading pushed over HTTP shows on the page
// without a reload; after the page's connection is really cut (a TCP proxy between browser and
// hub is severed) and restored, the events published meanwhile appear; and when the outage
// outlasted the gateway's history, the page reloads what it shows and says so. An event published
// after the page read its state over HTTP but before the gateway confirmed its subscription
// still shows.
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { TEST_JWT_SECRET } from './support/api.ts';
import { DESKTOP, chromiumAvailable, launchBrowser, openPage, saveScreenshot } from './support/browser.ts';
import { startHubOnAnyDatabase, type HubProcess } from './support/hub-process.ts';
import { deleteTestTopics } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { jsonCaller } from './support/staff-hubs.ts';
import { RawClient } from './support/stream.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

const chromium = chromiumAvailable();
// The production path when a broker is configured (always under REQUIRE_SERVICES=1): positions
// and the gateway's history come from Kafka; otherwise the embedded bus of `npm start`.
const kafka = chromium ? await serviceAvailable('kafka') : null;
const API_KEY = 'web-test:web-test-key-1';
const prefix = `test.web.${randomUUID().slice(0, 8)}.`;
const STATION = { id: 'SZ-WEB-01', name: 'Futian web test', city: 'shenzhen', lat: 22.54, lon: 114.05 };

describe.skipIf(!chromium)(`live dashboard (Chromium, ${kafka ? 'Kafka' : 'embedded bus'})`, () => {
  let hub: HubProcess;
  let proxy: TcpProxy;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let staff: string;

  const push = async (readings: object[]) => {
    const res = await fetch(`${hub.url}/v1/ingest/air`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'web-test-key-1' },
      body: JSON.stringify(readings),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
  };
  const connectionState = () => page.locator('#connection').getAttribute('data-state');

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startHubOnAnyDatabase({
        CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-live-')),
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_JWT_SECRET: TEST_JWT_SECRET,
        CITYSTREAM_API_KEYS: API_KEY,
        ...(kafka ? { KAFKA_BROKERS: kafka.value, KAFKA_TOPIC_PREFIX: prefix } : {}),
        // A short history per channel, so a long enough outage outruns it (last test).
        CITYSTREAM_WS_HISTORY_SIZE: '6',
      }),
      // WebGL off: this file looks at no map (test/support/browser.ts, LaunchOptions)
      launchBrowser('shell', { webgl: false }),
    ]);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: hub.port });
    staff = await mintToken(TEST_JWT_SECRET, { sub: 'web-test-staff', role: 'staff' });
    const created = await fetch(`${hub.url}/v1/air/stations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
      body: JSON.stringify(STATION),
    });
    expect(created.status, await created.text()).toBeLessThan(300);
    // The browser reaches the hub only through the proxy, so severing it cuts the page off.
    ({ page, problems } = await openPage(browser, `${proxy.url}/#shenzhen`));
    await page.locator(`[data-station="${STATION.id}"]`).waitFor();
    await page.locator('#connection[data-state="open"]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await hub?.stop('SIGKILL');
    // Its 12 topics (53 partitions) would stay on the shared broker, which keeps working for them.
    if (kafka) await deleteTestTopics([kafka.value!], prefix);
  });

  it('shows a reading pushed over HTTP without a reload', async () => {
    const time = new Date().toISOString();
    await push([{ stationId: STATION.id, time, pm25: 123.4, pm10: 150, o3: 40, no2: 30 }]);
    const card = page.locator(`[data-station="${STATION.id}"]`);
    await expect.poll(() => card.locator('[data-field=pm25]').textContent()).toBe('PM2.5 123.4');
    // Its AQI follows: PM2.5 123.4 µg/m³ is IAQI 162, "moderately polluted".
    await expect.poll(() => card.locator('[data-field=aqi]').textContent(), { timeout: 15_000 }).toBe('162');
    // The feed names the station as its card does, not by its id.
    expect(
      await page
        .locator(`.activity [data-type="city.air.reading.v1"][data-ref="${STATION.id}"] .activity-text`)
        .first()
        .textContent(),
    ).toBe(`${STATION.name} PM2.5 123.4 PM10 150`);
  });

  it('shows the events it missed after its connection is cut and restored', async () => {
    const acceptedBefore = proxy.accepted;
    proxy.sever();
    await expect.poll(connectionState).not.toBe('open');

    const base = Date.now();
    const missed = [41.1, 42.2, 43.3].map((pm25, i) => ({
      stationId: STATION.id,
      time: new Date(base + i * 1000).toISOString(),
      pm25,
    }));
    await push(missed);
    await new Promise((r) => setTimeout(r, 500));
    expect(await page.locator('[data-station] [data-field=pm25]').first().textContent()).toBe('PM2.5 123.4');
    await saveScreenshot(page, 'dashboard-reconnecting');

    proxy.restore();
    await expect.poll(connectionState, { timeout: 20_000 }).toBe('open');
    expect(proxy.accepted).toBeGreaterThan(acceptedBefore);
    const card = page.locator(`[data-station="${STATION.id}"]`);
    await expect.poll(() => card.locator('[data-field=pm25]').textContent()).toBe('PM2.5 43.3');
    // Every missed reading arrived over the WebSocket, not just the latest state.
    const log = page.locator(
      `.activity [data-type="city.air.reading.v1"][data-ref="${STATION.id}"] .activity-text`,
    );
    await expect.poll(async () => (await log.allTextContents()).length).toBe(4);
    const texts = (await log.allTextContents()).join('\n');
    for (const r of missed) expect(texts).toContain(`PM2.5 ${r.pm25}`);
    await saveScreenshot(page, 'dashboard-recovered');
  });

  it('reloads over HTTP when the outage outlasted the gateway history, and says so', async () => {
    proxy.sever();
    await expect.poll(connectionState).not.toBe('open');
    const base = Date.now();
    // More readings than the 6 events the gateway keeps for the channel.
    await push(
      Array.from({ length: 10 }, (_, i) => ({
        stationId: STATION.id,
        time: new Date(base + i * 1000).toISOString(),
        pm25: 60 + i,
      })),
    );
    // Requests sent from here on travel a working network; any sent earlier may have been cut.
    // Kept as Request objects: the same URL is often fetched before the cut and again after it.
    const sentSinceRestore = new Set<Request>();
    const failedSinceRestore: string[] = [];
    const onRequest = (r: Request) => sentSinceRestore.add(r);
    const onFailed = (r: Request) => {
      if (sentSinceRestore.has(r))
        failedSinceRestore.push(`${r.method()} ${r.url()} ${r.failure()?.errorText}`);
    };
    page.on('request', onRequest);
    page.on('requestfailed', onFailed);
    proxy.restore();
    await expect.poll(connectionState, { timeout: 20_000 }).toBe('open');
    await expect
      .poll(() => page.locator('#connection .connection-detail').textContent())
      .toContain('too old to replay');
    const card = page.locator(`[data-station="${STATION.id}"]`);
    await expect.poll(() => card.locator('[data-field=pm25]').textContent()).toBe('PM2.5 69');
    page.off('request', onRequest);
    page.off('requestfailed', onFailed);
    // Requests sent before the network came back may fail, however Chromium names it (through
    // the service worker, whose network fetch failed, as net::ERR_FAILED); every other problem
    // (a page error, a refused script) still counts.
    expect(problems.filter((p) => !p.startsWith('request failed: '))).toEqual([]);
    // Chromium reports a request after sending it, so one sent just before restore() can still
    // land in the set: a reset connection and the SDK's SSE and long-poll fallback attempts stay
    // forgiven for that. Anything else sent after restore must succeed.
    const cutOff = (f: string) =>
      f.includes('ERR_CONNECTION_RESET') || /GET [^ ]+\/(sse|v1\/events)\?/.test(f);
    expect(failedSinceRestore.filter((f) => !cutOff(f))).toEqual([]);
  });

  it('shows an incident reported between its HTTP read and the confirmation of its subscription', async () => {
    // The page's `subscribe` frames are held back (as a slow link would) until the incident list
    // has been read over HTTP and a new report has been fanned out to another subscriber.
    const context = await browser.newContext(DESKTOP);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const text = typeof m === 'string' ? m : m.toString();
        if (text.includes('"subscribe"')) void released.then(() => server.send(text));
        else server.send(text);
      });
    });
    const late = await context.newPage();
    try {
      const listRead = late.waitForResponse((r) => r.url().includes('/v1/incidents?city=shenzhen'));
      await late.goto(`${hub.url}/#shenzhen`);
      await listRead;
      await late.locator('#connection[data-state="open"]').waitFor();

      const watcher = new WebSocket(`${hub.url.replace('http', 'ws')}/ws`);
      type Frame = { type: string; event?: { data?: { description?: string } } };
      const frames: Frame[] = [];
      watcher.on('message', (b: Buffer) => frames.push(JSON.parse(b.toString()) as Frame));
      await new Promise((r) => watcher.once('open', r));
      watcher.send(JSON.stringify({ type: 'subscribe', id: 1, channels: ['incidents:city:shenzhen'] }));
      await expect.poll(() => frames.some((f) => f.type === 'subscribed')).toBe(true);
      const description = `Unconfirmed-window report ${randomUUID().slice(0, 8)}`;
      const res = await fetch(`${hub.url}/v1/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          category: 'pothole',
          lat: 22.54,
          lon: 114.06,
          description,
          reporter: { email: 'late@example.com' },
        }),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
      await expect
        .poll(() => frames.some((f) => f.event?.data?.description === description), { timeout: 15_000 })
        .toBe(true);
      watcher.close();

      release();
      await expect
        .poll(() => late.locator('[data-testid=incidents] .incident-description').allTextContents(), {
          timeout: 15_000,
        })
        .toContain(description);
    } finally {
      await context.close();
    }
  });

  it('keeps what a citizen is typing when the outage outlasted their own channel history', async () => {
    const sub = `web-live-citizen-${randomUUID().slice(0, 6)}`;
    const citizen = await mintToken(TEST_JWT_SECRET, { sub, role: 'citizen' });
    const asCitizen = jsonCaller(hub.url, citizen);
    const asStaff = jsonCaller(hub.url, staff);
    // A report of this citizen acknowledged by staff: one notice on user:{sub}.
    const noticeForCitizen = async (n: number, note?: string) => {
      const created = await asCitizen('POST', '/v1/incidents', {
        category: 'noise',
        lat: 22.54,
        lon: 114.06,
        description: `Loud works at night, report ${n}`,
        reporter: { phone: '13900005555' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = (created.body as { id: string }).id;
      const acked = await asStaff(
        'POST',
        `/v1/staff/incidents/${id}/actions`,
        { action: 'acknowledge', ...(note ? { note } : {}) },
        { 'if-match': '"1"' }, // a new report is at version 1
      );
      expect(acked.status, JSON.stringify(acked.body)).toBe(200);
      return id;
    };
    // Signed in as the page keeps a session (a pasted token), so the page follows user:{sub}.
    await page.evaluate(
      ([token, id]) =>
        localStorage.setItem(
          'citystream.session',
          JSON.stringify({ token, sub: id, name: 'Wang Fang', exp: null }),
        ),
      [citizen, sub],
    );
    await page.reload();
    await page.locator('#account .who').waitFor();
    await page.locator('#connection[data-state="open"]').waitFor();
    // The first notice arrives live (the page's subscription to user:{sub} is in place) and the
    // feed says what staff did with the report, with their note.
    const first = await noticeForCitizen(0, 'Crew informed');
    const mine = page.locator(`.activity [data-channel="user:${sub}"]`).first();
    await mine.waitFor({ timeout: 15_000 });
    expect(await mine.locator('.activity-type').textContent()).toBe('your report');
    expect(await mine.locator('.activity-text').textContent()).toMatch(
      /^inc_[0-9a-f]+ Submitted → Acknowledged: Crew informed$/,
    );
    // Everyone's feed names the incident by what it is, not by its id.
    const update = page.locator(
      `.activity [data-type="city.incident.status_changed.v1"][data-ref="${first}"]`,
    );
    await update.waitFor({ timeout: 15_000 });
    expect(await update.locator('.activity-text').textContent()).toBe('Noise Submitted → Acknowledged');
    await saveScreenshot(page, 'dashboard-citizen-notice');

    const idNumber = page.locator('form[data-form=doctor] input[name=idNumber]');
    await idNumber.fill('11010519491231002X');
    await idNumber.evaluate((el) => el.setAttribute('data-drawn-before', ''));
    // A second subscriber, straight to the hub, shows when the gateway has had the notices: they
    // travel the outbox relay, and a page reconnecting before they reach the gateway's history
    // would still be recovered from it.
    const watcher = await RawClient.connect(`${hub.url.replace('http', 'ws')}/ws`, { token: citizen });
    const noticesSeen = () => watcher.of('event').length;
    watcher.send({ type: 'subscribe', id: 1, channels: [`user:${sub}`] });
    await expect.poll(() => watcher.of('subscribed').length > 0).toBe(true);
    proxy.sever();
    await expect.poll(connectionState).not.toBe('open');
    // More notices than the 6 events the gateway keeps for the channel.
    for (let n = 1; n <= 7; n++) await noticeForCitizen(n);
    await expect.poll(noticesSeen, { timeout: 20_000 }).toBe(7);
    watcher.close();
    // What the citizen booked and paid is read again over HTTP, all three lists.
    const reread = ['/v1/appointments', '/v1/transport/tickets', '/v1/payments'].map((path) =>
      page.waitForResponse((r) => new URL(r.url()).pathname === path, { timeout: 30_000 }),
    );
    proxy.restore();
    await expect.poll(connectionState, { timeout: 20_000 }).toBe('open');
    await Promise.all(reread);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    // The same form, with what was typed: the reload did not draw the tab again.
    expect(await page.locator('form[data-form=doctor] input[name=idNumber][data-drawn-before]').count()).toBe(
      1,
    );
    expect(await idNumber.inputValue()).toBe('11010519491231002X');
  }, 90_000); // a page reload, 16 API calls, an outage and its recovery: 30 s is too close under load
});
