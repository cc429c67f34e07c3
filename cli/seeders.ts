// Every area's demo seeders, in dependency order.
import type { Seeder } from '../core/db/seed.ts';

export const demoSeeders: Seeder[] = [];
