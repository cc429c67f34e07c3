// China's AQI levels and their official colours (HJ 633-2012, table 2).
import { t } from './i18n/index.ts';

export interface AqiBand {
  level: number;
  max: number;
  label: string;
  local: string;
  color: string;
  /** Readable text colour on `color`. */
  ink: string;
}

export const HJ633_BANDS: readonly AqiBand[] = [
  { level: 1, max: 50, label: 'Excellent', local: '优', color: 'rgb(0,228,0)', ink: '#0b2e0b' },
  { level: 2, max: 100, label: 'Good', local: '良', color: 'rgb(255,255,0)', ink: '#3a3a00' },
  {
    level: 3,
    max: 150,
    label: 'Lightly polluted',
    local: '轻度污染',
    color: 'rgb(255,126,0)',
    ink: '#2e1600',
  },
  { level: 4, max: 200, label: 'Moderately polluted', local: '中度污染', color: 'rgb(255,0,0)', ink: '#fff' },
  { level: 5, max: 300, label: 'Heavily polluted', local: '重度污染', color: 'rgb(153,0,76)', ink: '#fff' },
  {
    level: 6,
    max: Infinity,
    label: 'Severely polluted',
    local: '严重污染',
    color: 'rgb(126,0,35)',
    ink: '#fff',
  },
];

/** The level's name in the page's language (HJ 633's Chinese name, or its English one). */
export function bandName(b: AqiBand): string {
  return t(`air:band.${b.level}`);
}

export function bandFor(aqi: number): AqiBand {
  return HJ633_BANDS.find((b) => aqi <= b.max) ?? HJ633_BANDS[HJ633_BANDS.length - 1]!;
}

export const NO_DATA = { color: '#c9ced6', ink: '#333' };
