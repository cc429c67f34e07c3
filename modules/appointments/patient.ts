// The patient of an appointment as the booking form sends it: a real name in any script, a
// mainland resident ID whose check character matches, and a phone number the hospital can call.
import { z } from 'zod';
import { phoneNumber, residentId } from '../../core/module/personal.ts';

export const patient = z.object({
  name: z.string().trim().min(1).max(100),
  idNumber: residentId,
  phone: phoneNumber,
});
