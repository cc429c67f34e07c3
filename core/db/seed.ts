// Demo seed data. Each area (air stations, hospitals, departures, ...) provides idempotent
// seeders; the composition root (app/seeders.ts) lists them for `migrate --seed` and demo mode.
import type { Db } from './types.ts';

export interface Seeder {
  name: string;
  /** Inserts what is missing; resolves true when it inserted anything. */
  run(db: Db): Promise<boolean>;
}

/** Runs the seeders in order; returns the names of those that inserted data. */
export async function seedDemoData(db: Db, seeders: readonly Seeder[]): Promise<string[]> {
  const inserted: string[] = [];
  for (const s of seeders) if (await s.run(db)) inserted.push(s.name);
  return inserted;
}
