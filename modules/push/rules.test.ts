// The rules a person notices without a push service: when quiet hours hold (across midnight, in
// their zone), which station speaks for a city's AQI, and that subscriptions point at push
// services only.
import { describe, expect, it } from 'vitest';
import type { AirAqi } from '../../core/events/index.ts';
import { AQI_RECHECK_MS, CityAqiTracker } from './notifier.ts';
import { allowedEndpoint } from './routes.ts';
import { inQuietHours } from './sender.ts';

const at = (hhmmUtc: string) => new Date(`2026-12-02T${hhmmUtc}:00Z`);
const night = { start: 22 * 60, end: 7 * 60, timeZone: 'Asia/Shanghai' };

describe('quiet hours', () => {
  it('wrap midnight in the person’s zone (UTC+8 here)', () => {
    expect(inQuietHours(at('14:00'), night)).toBe(true); // 22:00 in Shanghai: starts
    expect(inQuietHours(at('16:30'), night)).toBe(true); // 00:30
    expect(inQuietHours(at('22:59'), night)).toBe(true); // 06:59
    expect(inQuietHours(at('23:00'), night)).toBe(false); // 07:00: over
    expect(inQuietHours(at('13:59'), night)).toBe(false); // 21:59
  });
  it('within one day', () => {
    const lunch = { start: 12 * 60, end: 13 * 60, timeZone: 'Europe/London' };
    expect(inQuietHours(at('12:30'), lunch)).toBe(true);
    expect(inQuietHours(at('13:00'), lunch)).toBe(false);
  });
});

const reading = (stationId: string, aqi: number, minute: number): AirAqi => ({
  stationId,
  city: 'foshan',
  time: new Date(Date.UTC(2026, 11, 2, 8, minute)).toISOString(),
  cn: { aqi, level: 3, category: 'Lightly polluted', primaryPollutants: ['pm25'], iaqi: { pm25: aqi } },
  us: { aqi, category: 'Moderate', primaryPollutant: 'pm25' },
});

describe('a city’s AQI', () => {
  it('is its worst station’s; an older reading does not replace a newer one', () => {
    const t = new CityAqiTracker();
    expect(t.update(reading('FS-1', 80, 0))?.aqi).toBe(80);
    expect(t.update(reading('FS-2', 120, 1))?.aqi).toBe(120);
    expect(t.update(reading('FS-2', 60, 2))?.aqi).toBe(80);
    expect(t.update(reading('FS-2', 300, 1))?.aqi).toBe(80); // late, older than FS-2's 60
  });
  it('forgets stations silent for hours', () => {
    const t = new CityAqiTracker();
    t.update(reading('FS-1', 200, 0));
    expect(t.update(reading('FS-2', 50, 4 * 60))?.aqi).toBe(50);
  });
  it('needs its follows checked when its worst index moves, or a minute after the last check', () => {
    const t = new CityAqiTracker();
    const at = Date.UTC(2026, 11, 2, 8, 0);
    const first = t.update(reading('FS-1', 120, 0))!;
    expect(t.due(first, at)).toBe(true);
    t.checked(first, at);
    // Another station below the worst: nothing can have crossed.
    const same = t.update(reading('FS-2', 90, 1))!;
    expect(t.due(same, at + 1_000)).toBe(false);
    // A check that did not commit is not recorded: the retried batch checks again.
    const moved = t.update(reading('FS-2', 180, 2))!;
    expect(t.due(moved, at + 2_000)).toBe(true);
    expect(t.due(moved, at + 2_500)).toBe(true);
    t.checked(moved, at + 2_500);
    expect(t.due(t.update(reading('FS-1', 100, 3))!, at + 3_000)).toBe(false);
    // Still, a follow added meanwhile is checked within the minute.
    expect(t.due(t.update(reading('FS-1', 110, 4))!, at + 2_500 + AQI_RECHECK_MS)).toBe(true);
  });
});

describe('subscription endpoints', () => {
  const hosts = ['fcm.googleapis.com', 'push.apple.com'];
  it('must be a push service or a subdomain of one', () => {
    expect(allowedEndpoint('https://fcm.googleapis.com/fcm/send/abc', hosts)).toBe(true);
    expect(allowedEndpoint('https://web.push.apple.com/QG', hosts)).toBe(true);
    expect(allowedEndpoint('https://evilpush.apple.com.example/x', hosts)).toBe(false);
    expect(allowedEndpoint('https://notpush.apple.com', hosts)).toBe(false);
    expect(allowedEndpoint('https://10.0.0.1/x', hosts)).toBe(false);
  });
});
