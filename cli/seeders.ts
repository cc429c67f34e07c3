// Every area's demo seeders, in dependency order.
import type { Seeder } from '../core/db/seed.ts';
import { cityServicesSeeders } from '../api/seed/index.ts';
import { airStationsSeeder } from '../ingest/air/demo-stations.ts';

export const demoSeeders: Seeder[] = [...cityServicesSeeders, airStationsSeeder];
