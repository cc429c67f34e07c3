// Demo data of the city services, in dependency order.
import type { Seeder } from '../../core/db/seed.ts';
import { billingSeeder } from './billing.ts';
import { hospitalsSeeder } from './hospitals.ts';
import { transportSeeder } from './transport.ts';

export const cityServicesSeeders: Seeder[] = [hospitalsSeeder, transportSeeder, billingSeeder];
