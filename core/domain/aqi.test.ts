// Worked values from the standards themselves.
import { describe, expect, it } from 'vitest';
import type { AirReading } from '../events/air.ts';
import { cnAqi, cnIaqi, computeAqi, usIndex } from './aqi.ts';
import { ppbToUgm3 } from './units.ts';

const reading = (r: Partial<AirReading>): AirReading => ({
  stationId: 'GZ-0001',
  city: 'guangzhou',
  time: '2026-11-24T08:00:00Z',
  ...r,
});

describe('China HJ 633-2012', () => {
  it('interpolates IAQI within Table 1 and rounds up', () => {
    // Breakpoints give the exact index.
    expect(cnIaqi('pm25', 35)).toBe(50);
    expect(cnIaqi('pm25', 75)).toBe(100);
    expect(cnIaqi('pm10', 150)).toBe(100);
    expect(cnIaqi('o3', 200)).toBe(100);
    expect(cnIaqi('co', 10)).toBe(100);
    // PM2.5 80 µg/m³: (150-100)/(115-75) × (80-75) + 100 = 106.25 → 107.
    expect(cnIaqi('pm25', 80)).toBe(107);
    // NO2 1-hour 150 µg/m³: (100-50)/(200-100) × 50 + 50 = 75.
    expect(cnIaqi('no2', 150)).toBe(75);
    // SO2 above 800 µg/m³ (1-hour) is rated on the 24-hour scale: 1600 → 300.
    expect(cnIaqi('so2', 1600)).toBe(300);
    expect(cnIaqi('pm25', 600)).toBe(500);
  });

  it('takes the highest IAQI as AQI, names the primary pollutants above 50, and the level', () => {
    expect(cnAqi(reading({ pm25: 80, pm10: 120, no2: 150 }))).toEqual({
      aqi: 107,
      level: 3,
      category: 'Lightly polluted (轻度污染)',
      primaryPollutants: ['pm25'],
      iaqi: { pm25: 107, pm10: 85, no2: 75 },
    });
    // Equal IAQIs: both are primary.
    expect(cnAqi(reading({ pm25: 75, pm10: 150 })).primaryPollutants).toEqual(['pm25', 'pm10']);
    // AQI ≤ 50: no primary pollutant.
    expect(cnAqi(reading({ pm25: 20 }))).toMatchObject({ aqi: 29, level: 1, primaryPollutants: [] });
  });
});

describe('US EPA (2024 PM2.5 breakpoints)', () => {
  it('follows the Technical Assistance Document examples', () => {
    // TAD: PM2.5 35.9 µg/m³ → (150-101)/(55.4-35.5) × (35.9-35.5) + 101 = 101.98 → 102.
    expect(usIndex('pm25', 35.9)).toBe(102);
    // TAD: 8-hour ozone 0.07853 ppm truncates to 0.078 → (150-101)/(0.085-0.071) × 0.007 + 101 = 125.5 → 126.
    expect(usIndex('o3', ppbToUgm3('o3', 78.53))).toBe(126);
  });

  it('uses the 2024 PM2.5 breakpoints: 9.0 µg/m³ is the top of Good, 9.1 is Moderate', () => {
    expect(usIndex('pm25', 9.0)).toBe(50);
    expect(usIndex('pm25', 9.1)).toBe(51);
    expect(usIndex('pm25', 12.0)).toBe(56); // 50 under the pre-2024 table
    expect(usIndex('pm25', 225.5)).toBe(301);
    expect(usIndex('pm10', 154)).toBe(100);
  });

  it('reports both indices with the primary pollutant', () => {
    const aqi = computeAqi(reading({ pm25: 35.9, pm10: 50 }))!;
    expect(aqi.us).toEqual({
      aqi: 102,
      category: 'Unhealthy for Sensitive Groups',
      primaryPollutant: 'pm25',
    });
    expect(aqi.cn.aqi).toBe(52);
    expect(computeAqi(reading({ temperature: 20 }))).toBeNull();
  });
});
