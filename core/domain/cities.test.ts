import { describe, expect, it } from 'vitest';
import { CITIES, CITY_IDS, city, isCityId } from './cities.ts';

describe('the list of served cities', () => {
  it('has one entry per city id, in the same order', () => {
    expect(CITIES.map((c) => c.id)).toEqual([...CITY_IDS]);
  });

  it('puts every centre inside its own bounds', () => {
    for (const c of CITIES) {
      expect(c.centre.lat, c.id).toBeGreaterThan(c.bounds.south);
      expect(c.centre.lat, c.id).toBeLessThan(c.bounds.north);
      expect(c.centre.lon, c.id).toBeGreaterThan(c.bounds.west);
      expect(c.centre.lon, c.id).toBeLessThan(c.bounds.east);
    }
  });

  it('knows its ids and nothing else', () => {
    expect(isCityId('guangzhou')).toBe(true);
    expect(isCityId('beijing')).toBe(false);
    expect(city('foshan').name).toEqual({ en: 'Foshan', zh: '佛山' });
  });
});
