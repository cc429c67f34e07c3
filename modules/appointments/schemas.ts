// The appointment API's response shapes for what a citizen browses (hospitals, departments,
// doctors, slots): the routes declare them (so /openapi.json and the serializer use them) and the
// dashboard takes its types from them (`import type`, erased from the bundle).
import { z } from 'zod';
import { localizedNames } from '../../core/events/names.ts';

export const hospitalResponse = z.object({
  id: z.string(),
  city: z.string(),
  name: z.string(),
  /** The name in other languages (language tag → name): a page shows its language's. */
  names: localizedNames,
  grade: z.string(),
  /** The grade in other languages, as `names`. */
  grades: localizedNames,
  address: z.string(),
  /** The address in other languages, as `names`. */
  addresses: localizedNames,
  lat: z.number(),
  lon: z.number(),
});

export const departmentResponse = z.object({
  id: z.string(),
  hospitalId: z.string(),
  name: z.string(),
  names: localizedNames,
});

export const doctorResponse = z.object({
  id: z.string(),
  departmentId: z.string(),
  name: z.string(),
  names: localizedNames,
  title: z.string(),
  /** The title in other languages, as `names`. */
  titles: localizedNames,
  specialty: z.string(),
});

export const slotResponse = z.object({
  id: z.string(),
  doctorId: z.string(),
  start: z.string(),
  end: z.string(),
  capacity: z.number(),
  available: z.number(),
  status: z.enum(['free', 'busy']),
  fee: z.string(),
  currency: z.literal('CNY'),
});

export const hospitalList = z.object({ items: z.array(hospitalResponse) });
export const departmentList = z.object({ items: z.array(departmentResponse) });
export const doctorList = z.object({ items: z.array(doctorResponse) });
export const slotList = z.object({ items: z.array(slotResponse) });

/** A day with bookable slots, for the day list of a booking form. */
export const slotDay = z.object({
  date: z.string().describe('YYYY-MM-DD, China Standard Time'),
  /** Slots on that day that have not started yet. */
  slots: z.number(),
  /** Places left in them; 0: the day is fully booked. */
  available: z.number(),
});
export const slotDayList = z.object({ items: z.array(slotDay) });
