// Every area's demo seeders, in dependency order (the module list's order).
import type { Seeder } from '../core/db/seed.ts';
import { MODULES, seedersOf } from './modules.ts';

export const demoSeeders: Seeder[] = seedersOf(MODULES);
