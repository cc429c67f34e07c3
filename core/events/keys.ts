import { z } from 'zod';

/**
 * An integrator key's state as every process must know it to accept or refuse the key: the
 * SHA-256 of the secret (never the secret), its scope, and whether it is revoked. Published on
 * every change (created, rotated, revoked) to a compacted topic keyed by key id, so a process
 * refuses a revoked key as soon as the record arrives, without a restart.
 */
export const integratorKey = z.object({
  keyId: z.string().min(1),
  name: z.string().min(1),
  /** Hex SHA-256 of the current secret. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** Hashes of earlier secrets that no longer work (after a rotation). */
  retired: z.array(z.string().regex(/^[0-9a-f]{64}$/)).default([]),
  city: z.string().nullable().default(null),
  stations: z.array(z.string()).default([]),
  revoked: z.boolean(),
  at: z.iso.datetime({ offset: true }),
});
export type IntegratorKeyState = z.infer<typeof integratorKey>;
