// Unit conversions for gases. Mixing ratios (ppb, ppm) convert to mass concentrations at 25 °C
// and 1 atm, where one mole of gas fills 24.45 L: µg/m³ = ppb × M / 24.45, with M the molar mass
// in g/mol. (China's HJ 633 reports at reference conditions too; 24.45 L is the US EPA convention
// used by OpenAQ and most sensor vendors.)
export const MOLAR_VOLUME_L = 24.45;
export const MOLAR_MASS = { o3: 48.0, no2: 46.01, so2: 64.07, co: 28.01 } as const;
export type Gas = keyof typeof MOLAR_MASS;

export const ppbToUgm3 = (gas: Gas, ppb: number) => (ppb * MOLAR_MASS[gas]) / MOLAR_VOLUME_L;
export const ugm3ToPpb = (gas: Gas, ugm3: number) => (ugm3 * MOLAR_VOLUME_L) / MOLAR_MASS[gas];

export type Unit = 'µg/m³' | 'mg/m³' | 'ppb' | 'ppm';
const UNIT_ALIASES: Record<string, Unit> = {
  'µg/m³': 'µg/m³',
  'μg/m³': 'µg/m³',
  'ug/m3': 'µg/m³',
  'µg/m3': 'µg/m³',
  'μg/m3': 'µg/m³',
  ugm3: 'µg/m³',
  'mg/m³': 'mg/m³',
  'mg/m3': 'mg/m³',
  ppb: 'ppb',
  ppm: 'ppm',
};

export function parseUnit(raw: string): Unit | null {
  return UNIT_ALIASES[raw.trim().toLowerCase().replace('μ', 'µ')] ?? UNIT_ALIASES[raw.trim()] ?? null;
}

/**
 * To the hub's unit: µg/m³ for every pollutant except CO, which is mg/m³. Particles only come
 * in mass units. Returns null for a unit that makes no sense for the pollutant.
 */
export function toStandardUnit(pollutant: string, value: number, unit: Unit): number | null {
  const gas = pollutant in MOLAR_MASS ? (pollutant as Gas) : null;
  let ugm3: number;
  switch (unit) {
    case 'µg/m³':
      ugm3 = value;
      break;
    case 'mg/m³':
      ugm3 = value * 1000;
      break;
    case 'ppb':
      if (!gas) return null;
      ugm3 = ppbToUgm3(gas, value);
      break;
    case 'ppm':
      if (!gas) return null;
      ugm3 = ppbToUgm3(gas, value * 1000);
      break;
  }
  return pollutant === 'co' ? ugm3 / 1000 : ugm3;
}
