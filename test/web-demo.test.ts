// The one-command demo in a browser: demo cameras' snapshots change on the page, and a citizen
// books, holds, pays and reports through the panel, each confirmed by the API's answer and by the
// live event on the private user channel (or the city's incident channel).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  chromiumAvailable,
  launchBrowser,
  openPage,
  saveDocsScreenshot,
  saveScreenshot,
} from './support/browser.ts';
import { startHub, type HubProcess } from './support/hub-process.ts';

const chromium = chromiumAvailable();
const USER = 'demo-citizen-1';

describe.skipIf(!chromium)('the demo in a browser (Chromium)', () => {
  let hub: HubProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  const liveEvent = (type: string, text: string) =>
    page.locator(`.activity li[data-type="${type}"]`, { hasText: text });
  /** The feed's row of an event about `ref` (a booking, a payment). */
  const liveEventAbout = (type: string, ref: string) =>
    page.locator(`.activity li[data-type="${type}"][data-ref="${ref}"]`);

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startHub({ CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'web-demo-')), CITYSTREAM_DEMO: '1' }),
      launchBrowser(),
    ]);
    ({ page, problems } = await openPage(browser, `${hub.url}/#shenzhen`));
    await page.locator('#connection[data-state="open"]').waitFor();
    await page.locator('#account input[name=name]').fill(USER);
    await page.locator('#account button[type=submit]').click();
    await page.locator(`#account [data-user="${USER}"]`).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop('SIGKILL');
  });

  it('shows a camera image that changes as new snapshots arrive', async () => {
    const img = page.locator('img[data-camera]').first();
    await img.waitFor();
    const seq = async () => Number(await img.getAttribute('data-sequence'));
    // ffmpeg needs a few seconds to start the demo cameras on a busy machine.
    await expect.poll(seq, { timeout: 40_000 }).toBeGreaterThan(0);
    const first = { seq: await seq(), src: await img.getAttribute('src'), png: await img.screenshot() };
    await expect.poll(seq, { timeout: 20_000 }).toBeGreaterThan(first.seq);
    expect(await img.getAttribute('src')).not.toBe(first.src);
    expect(await img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    // The demo cameras draw a running clock: the picture really changes. Polled for up to 10 s:
    // a loaded full run once read the same pixels right after the sequence changed (a bitmap not
    // yet painted, or two frames alike; not reproduced alone, 0 of 12 changes read the old pixels).
    await expect
      .poll(async () => (await img.screenshot()).equals(first.png), { timeout: 10_000, interval: 250 })
      .toBe(false);
    const badge = page.locator('[data-camera-tile] [data-field=status]').first();
    expect(await badge.getAttribute('data-status')).toBe('online');
  }, 70_000);

  it('books a doctor: the booking shows in "my bookings" and arrives as a live event, then is paid', async () => {
    await page.locator('[data-tab=doctor]').click();
    const slot = page.locator('form[data-form=doctor] select[name=slot]');
    await expect.poll(() => slot.inputValue(), { timeout: 15_000 }).not.toBe('');
    // Nothing personal is pre-filled: the patient types their ID number and phone.
    await page.locator('form[data-form=doctor] input[name=idNumber]').fill('440301199001011234');
    await page.locator('form[data-form=doctor] input[name=phone]').fill('13800138000');
    await page.locator('form[data-form=doctor] button[type=submit]').click();
    const result = page.locator('[data-testid=doctor-result]');
    await expect.poll(() => result.getAttribute('data-booking-id')).toBeTruthy();
    expect(await result.textContent()).toMatch(/^Booked/);
    const bookingId = (await result.getAttribute('data-booking-id'))!;
    expect(bookingId).toBeTruthy();

    const made = liveEventAbout('city.booking.created.v1', bookingId);
    await made.waitFor();
    expect(await made.getAttribute('data-channel')).toBe(`user:${USER}`);
    // Said in words (what, when, its state), not by the booking's id.
    const madeText = (await made.locator('.activity-text').textContent())!;
    expect(madeText).toMatch(/^Appointment · [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M · Booked$/);
    expect(madeText).not.toContain(bookingId);

    const booked = page.locator(`form[data-form=doctor] [data-booking="${bookingId}"]`);
    await booked.locator('button[data-pay]').click();
    await expect.poll(() => booked.locator('.result').textContent()).toMatch(/^Paid CN¥\d+\.\d\d/);
    await liveEvent('city.payment.succeeded.v1', 'appointment').waitFor();

    await page.locator('[data-tab=bookings]').click();
    const row = page.locator(`[data-testid=my-bookings] [data-booking="${bookingId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Appointment');
  });

  it('holds a coach seat and pays it, and pays a traffic fine', async () => {
    await page.locator('[data-tab=coach]').click();
    await page.locator('form[data-form=coach] input[name=idNumber]').fill('440301199001011234');
    await page.locator('form[data-form=coach] button[type=submit]').click();
    await page.locator('[data-departure] button:not([disabled])').first().click();
    const held = page.locator('form[data-form=coach] [data-ticket]');
    await held.waitFor();
    const ticketId = (await held.getAttribute('data-ticket'))!;
    const heldRow = liveEventAbout('city.booking.created.v1', ticketId);
    await heldRow.waitFor();
    expect(await heldRow.locator('.activity-text').textContent()).toMatch(/^Ticket · seat \w+ · Held$/);
    await held.locator('button[data-pay]').click();
    await expect.poll(() => held.locator('.result').textContent()).toMatch(/^Paid/);

    await page.locator('[data-tab=pay]').click();
    await page.locator('form[data-form=fines] button[type=submit]').click();
    const payable = page.locator('[data-testid=fines] li:has(button[data-pay])').first();
    const fine = page.locator(
      `[data-testid=fines] [data-payable="${await payable.getAttribute('data-payable')}"]`,
    );
    await fine.locator('button[data-pay]').click();
    await expect.poll(() => fine.locator('.result').textContent()).toMatch(/^Paid/);
    await liveEvent('city.payment.succeeded.v1', 'Traffic fine').waitFor();

    await page.locator('[data-tab=bookings]').click();
    await page.locator(`[data-testid=my-bookings] [data-booking="${ticketId}"]`).waitFor();
  });

  it('reports an incident pinned on the map; it appears in the feed and on the map live', async () => {
    // The map's own button pins its centre (a click on the canvas does the same where no marker is).
    await page.locator('#map[data-state=ready]').waitFor();
    await page.locator('.map-pin-centre').click();
    await expect
      .poll(() => page.locator('[data-testid=report-pin]').textContent())
      .toMatch(/^22\.\d+, 11[34]\.\d+ · /);
    // The category shown is the one sent: wait for the hub's list as a person sees it fill in.
    await expect
      .poll(() => page.locator('form[data-form=report] select[name=category]').inputValue())
      .toBe('broken_street_light');
    await page.locator('form[data-form=report] textarea').fill('Street light out at the crossing');
    await page.locator('form[data-form=report] input[name=reporterPhone]').fill('13800138000');
    await page.locator('form[data-form=report] button[type=submit]').click();
    const result = page.locator('[data-testid=report-result]');
    await expect.poll(() => result.textContent()).toMatch(/^Reported/);

    const item = page.locator('[data-testid=incidents] li', { hasText: 'Street light out at the crossing' });
    await item.waitFor();
    const id = (await item.getAttribute('data-incident'))!;
    await page.locator(`#map [data-pin="${id}"][data-kind=incident]`).waitFor();
    await liveEvent('city.incident.reported.v1', 'Street light out').waitFor();

    await saveScreenshot(page, 'demo-desktop');
    // The README's picture: top of the page, with the camera's current frame drawn.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[data-camera]');
      return !!img && img.complete && img.naturalWidth > 0 && !img.classList.contains('missing');
    });
    await saveDocsScreenshot(page);
    expect(problems).toEqual([]);
  });

  it('shows the same live page on a phone', async () => {
    const phone = await openPage(browser, `${hub.url}/#shenzhen`, PHONE);
    await phone.page.locator('#connection[data-state="open"]').waitFor();
    await phone.page.locator('[data-station]').first().waitFor();
    await saveScreenshot(phone.page, 'demo-phone');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });
});
