// Incident categories, the status workflow, the service area and photo checks.
import { z } from 'zod';
import type { IncidentStatus } from '../../core/domain/statuses.ts';

export const CATEGORIES = [
  {
    code: 'broken_street_light',
    name: 'Broken street light',
    description: 'A street lamp is out, flickering or damaged.',
  },
  {
    code: 'broken_traffic_light',
    name: 'Broken traffic light',
    description: 'A traffic signal is dark, stuck or damaged.',
  },
  {
    code: 'illegal_parking',
    name: 'Illegal parking',
    description: 'A vehicle blocks a lane, crossing, fire access or pavement.',
  },
  {
    code: 'blocked_storm_drain',
    name: 'Blocked storm drain',
    description: 'A drain is blocked or the street floods.',
  },
  { code: 'pothole', name: 'Pothole', description: 'A hole or broken surface in the road.' },
  { code: 'noise', name: 'Noise', description: 'Construction or other noise outside permitted hours.' },
  { code: 'other', name: 'Other', description: 'Anything else the police should know about.' },
] as const;
export const categoryCode = z.enum(CATEGORIES.map((c) => c.code) as [string, ...string[]]);

export type { IncidentStatus };

/**
 * The shortest description taken, in characters as a reader counts them: four Chinese
 * characters ("井盖丢失") already say what happened, so the bar is not set for English words.
 */
export const DESCRIPTION_MIN_CHARS = 4;

/** submitted → acknowledged → in_progress → resolved, and rejected from any open state. */
export const TRANSITIONS: Record<IncidentStatus, IncidentStatus[]> = {
  submitted: ['acknowledged', 'rejected'],
  acknowledged: ['in_progress', 'rejected'],
  in_progress: ['resolved', 'rejected'],
  resolved: [],
  rejected: [],
};

export { cityAt } from '../../core/domain/geo.ts';

export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** The image type from the file's first bytes; the declared type is not trusted. */
export function sniffImage(b: Buffer): (typeof PHOTO_TYPES)[number] | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (
    b.length >= 8 &&
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  return null;
}
