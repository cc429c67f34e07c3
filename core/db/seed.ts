// Demo seed data. Each area (air stations, hospitals, departures, ...) provides idempotent
// seeders; the composition root (app/seeders.ts) lists them for `migrate --seed` and demo mode.
import type { Db } from './types.ts';

/**
 * A jsonb `names`-style parameter (language tag → text) holding the Chinese text of demo data,
 * `{"zh-CN": text}`, or none when there is no text.
 */
export function chineseText(text: string | undefined): string {
  return JSON.stringify(text ? { 'zh-CN': text } : {});
}

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
