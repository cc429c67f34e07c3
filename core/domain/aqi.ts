// Air quality indices from one normalised reading.
//
// China, HJ 633-2012 (Technical Regulation on Ambient Air Quality Index): IAQI per pollutant by
// linear interpolation in Table 1, rounded up ("进位取整"); AQI = max IAQI; the primary
// pollutant(s) are those with that IAQI when AQI > 50; level 1-6 per Table 2. Hourly reports use the
// 1-hour breakpoints for SO2, NO2, CO and O3 and the 24-hour ones for PM2.5 and PM10 (there are no
// 1-hour PM breakpoints). SO2 above 800 µg/m³ (1-hour) is rated with the 24-hour table, as the
// standard's note says; O3 1-hour covers all levels.
//
// US EPA (Technical Assistance Document for the Reporting of Daily Air Quality, EPA-454/B-24-002,
// 2024, with the PM2.5 breakpoints of the 2024 PM NAAQS): concentrations converted to ppm/ppb at
// 25 °C and 1 atm, truncated as the TAD prescribes, interpolated and rounded to the nearest
// integer. O3 uses the 8-hour table up to 0.200 ppm and the 1-hour table above; SO2 and NO2 the
// 1-hour tables; CO the 8-hour table. One reading stands for its averaging period.
import type { AirReading, AirAqi } from '../events/air.ts';
import { AQI_POLLUTANTS } from '../events/air.ts';
import { ugm3ToPpb } from './units.ts';

type Pollutant = (typeof AQI_POLLUTANTS)[number];
type Table = readonly (readonly [cLo: number, cHi: number, iLo: number, iHi: number])[];

/** Builds contiguous segments from HJ 633's breakpoint columns. */
function hj(concentrations: number[]): Table {
  const iaqi = [0, 50, 100, 150, 200, 300, 400, 500];
  return concentrations.slice(1).map((c, i) => [concentrations[i]!, c, iaqi[i]!, iaqi[i + 1]!] as const);
}

export const HJ633: Record<Pollutant, Table> = {
  so2: hj([0, 150, 500, 650, 800]), // 1-hour, µg/m³
  no2: hj([0, 100, 200, 700, 1200, 2340, 3090, 3840]), // 1-hour, µg/m³
  pm10: hj([0, 50, 150, 250, 350, 420, 500, 600]), // 24-hour, µg/m³
  co: hj([0, 5, 10, 35, 60, 90, 120, 150]), // 1-hour, mg/m³
  o3: hj([0, 160, 200, 300, 400, 800, 1000, 1200]), // 1-hour, µg/m³
  pm25: hj([0, 35, 75, 115, 150, 250, 350, 500]), // 24-hour, µg/m³
};
const HJ633_SO2_24H = hj([0, 50, 150, 475, 800, 1600, 2100, 2620]);

/** A CN AQI level (HJ 633-2012 table 5): its upper bound and its name in English and Chinese. */
const cnLevel = (max: number, level: number, en: string, zh: string) => ({
  max,
  level,
  names: { en, 'zh-CN': zh },
  /** Both names, as events carry it (readers of either language find theirs). */
  category: `${en} (${zh})`,
});

export const CN_LEVELS = [
  cnLevel(50, 1, 'Excellent', '优'),
  cnLevel(100, 2, 'Good', '良'),
  cnLevel(150, 3, 'Lightly polluted', '轻度污染'),
  cnLevel(200, 4, 'Moderately polluted', '中度污染'),
  cnLevel(300, 5, 'Heavily polluted', '重度污染'),
  cnLevel(Infinity, 6, 'Severely polluted', '严重污染'),
] as const;

function interpolate(table: Table, c: number, round: (x: number) => number): number {
  for (const [cLo, cHi, iLo, iHi] of table) {
    if (c <= cHi) return round(((iHi - iLo) / (cHi - cLo)) * (c - cLo) + iLo);
  }
  return 500; // beyond the top breakpoint the index is reported at its maximum
}

export function cnIaqi(pollutant: Pollutant, c: number): number {
  if (pollutant === 'so2' && c > 800) return interpolate(HJ633_SO2_24H, c, Math.ceil);
  // HJ 633 rounds up; a tiny epsilon keeps float noise (e.g. 100.00000000000001) from adding 1.
  return interpolate(HJ633[pollutant], c, (x) => Math.ceil(x - 1e-9));
}

export function cnAqi(reading: AirReading): AirAqi['cn'] {
  const iaqi: Partial<Record<Pollutant, number>> = {};
  for (const p of AQI_POLLUTANTS) {
    const c = reading[p];
    if (c !== undefined) iaqi[p] = cnIaqi(p, c);
  }
  const values = Object.values(iaqi);
  const aqi = values.length ? Math.max(...values) : 0;
  const { level, category } = CN_LEVELS.find((l) => aqi <= l.max)!;
  const primaryPollutants = aqi > 50 ? AQI_POLLUTANTS.filter((p) => iaqi[p] === aqi) : [];
  return { aqi, level, category, primaryPollutants, iaqi };
}

// US EPA tables: [cLo, cHi, iLo, iHi] in the TAD's units after truncation.
export const EPA: Record<'pm25' | 'pm10' | 'o3_8h' | 'o3_1h' | 'co' | 'so2' | 'no2', Table> = {
  pm25: [
    [0.0, 9.0, 0, 50],
    [9.1, 35.4, 51, 100],
    [35.5, 55.4, 101, 150],
    [55.5, 125.4, 151, 200],
    [125.5, 225.4, 201, 300],
    [225.5, 325.4, 301, 500],
  ],
  pm10: [
    [0, 54, 0, 50],
    [55, 154, 51, 100],
    [155, 254, 101, 150],
    [255, 354, 151, 200],
    [355, 424, 201, 300],
    [425, 604, 301, 500],
  ],
  o3_8h: [
    [0.0, 0.054, 0, 50],
    [0.055, 0.07, 51, 100],
    [0.071, 0.085, 101, 150],
    [0.086, 0.105, 151, 200],
    [0.106, 0.2, 201, 300],
  ],
  o3_1h: [
    [0.125, 0.164, 101, 150],
    [0.165, 0.204, 151, 200],
    [0.205, 0.404, 201, 300],
    [0.405, 0.604, 301, 500],
  ],
  co: [
    [0.0, 4.4, 0, 50],
    [4.5, 9.4, 51, 100],
    [9.5, 12.4, 101, 150],
    [12.5, 15.4, 151, 200],
    [15.5, 30.4, 201, 300],
    [30.5, 50.4, 301, 500],
  ],
  so2: [
    [0, 35, 0, 50],
    [36, 75, 51, 100],
    [76, 185, 101, 150],
    [186, 304, 151, 200],
    [305, 604, 201, 300],
    [605, 1004, 301, 500],
  ],
  no2: [
    [0, 53, 0, 50],
    [54, 100, 51, 100],
    [101, 360, 101, 150],
    [361, 649, 151, 200],
    [650, 1249, 201, 300],
    [1250, 2049, 301, 500],
  ],
};

const truncate = (x: number, digits: number) => Math.floor(x * 10 ** digits + 1e-9) / 10 ** digits;

function epaIndex(table: Table, c: number): number {
  // Truncated values can fall between segments (e.g. 9.05 → 9.0 is fine, but 54.5 ppb is not
  // truncated away); such values take the upper segment, as the TAD's contiguous reading implies.
  for (const [cLo, cHi, iLo, iHi] of table) {
    if (c <= cHi) return Math.round(((iHi - iLo) / (cHi - cLo)) * (Math.max(c, cLo) - cLo) + iLo);
  }
  return 500;
}

/** US AQI per pollutant from µg/m³ (CO mg/m³). */
export function usIndex(pollutant: Pollutant, value: number): number {
  switch (pollutant) {
    case 'pm25':
      return epaIndex(EPA.pm25, truncate(value, 1));
    case 'pm10':
      return epaIndex(EPA.pm10, truncate(value, 0));
    case 'o3': {
      const ppm = truncate(ugm3ToPpb('o3', value) / 1000, 3);
      return ppm <= 0.2 ? epaIndex(EPA.o3_8h, ppm) : epaIndex(EPA.o3_1h, ppm);
    }
    case 'co':
      return epaIndex(EPA.co, truncate(ugm3ToPpb('co', value * 1000) / 1000, 1));
    case 'so2':
      return epaIndex(EPA.so2, truncate(ugm3ToPpb('so2', value), 0));
    case 'no2':
      return epaIndex(EPA.no2, truncate(ugm3ToPpb('no2', value), 0));
  }
}

export const US_CATEGORIES = [
  { max: 50, category: 'Good' },
  { max: 100, category: 'Moderate' },
  { max: 150, category: 'Unhealthy for Sensitive Groups' },
  { max: 200, category: 'Unhealthy' },
  { max: 300, category: 'Very Unhealthy' },
  { max: Infinity, category: 'Hazardous' },
] as const;

export function usAqi(reading: AirReading): AirAqi['us'] {
  let aqi = 0;
  let primaryPollutant: Pollutant | null = null;
  for (const p of AQI_POLLUTANTS) {
    const c = reading[p];
    if (c === undefined) continue;
    const i = usIndex(p, c);
    if (primaryPollutant === null || i > aqi) {
      aqi = i;
      primaryPollutant = p;
    }
  }
  return { aqi, category: US_CATEGORIES.find((c) => aqi <= c.max)!.category, primaryPollutant };
}

/** Whether the reading measures a pollutant the indices use, i.e. has an AQI. */
export const hasAqi = (reading: AirReading): boolean => AQI_POLLUTANTS.some((p) => reading[p] !== undefined);

/** Both indices for a reading, or null when it carries no pollutant. */
export function computeAqi(reading: AirReading): AirAqi | null {
  if (!hasAqi(reading)) return null;
  return {
    stationId: reading.stationId,
    city: reading.city,
    time: reading.time,
    cn: cnAqi(reading),
    us: usAqi(reading),
  };
}
