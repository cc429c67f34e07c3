import { describe, expect, it } from 'vitest';
import { readMigrations } from '../core/db/migrate.ts';
import { MIGRATION_DIRS } from './migrations.ts';
import {
  APPOINTMENT_STATUSES,
  BILL_STATUSES,
  INCIDENT_STATUSES,
  PAYMENT_KINDS,
  PAYMENT_STATUSES,
  TICKET_STATUSES,
} from '../core/domain/statuses.ts';

const sql = readMigrations(MIGRATION_DIRS)
  .map((m) => m.sql)
  .join('\n');

/** The values of `column text ... CHECK (column IN ('a', 'b'))` in `CREATE TABLE table (...)`. */
function checkValues(table: string, column: string): string[] {
  const body = new RegExp(`CREATE TABLE ${table} \\(([\\s\\S]*?)\\n\\);`).exec(sql)?.[1];
  if (!body) throw new Error(`no CREATE TABLE ${table} in the migrations`);
  const list = new RegExp(`\\n\\s*${column} text[^\\n]*CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(
    body,
  )?.[1];
  if (!list) throw new Error(`no CHECK (${column} IN (...)) on ${table}`);
  return list.split(',').map((v) => v.trim().replace(/^'(.*)'$/, '$1'));
}

describe('status enums match the CHECK constraints of the migrations', () => {
  it.each([
    ['payments', 'status', PAYMENT_STATUSES],
    ['payments', 'kind', PAYMENT_KINDS],
    ['appointments', 'status', APPOINTMENT_STATUSES],
    ['tickets', 'status', TICKET_STATUSES],
    ['electricity_bills', 'status', BILL_STATUSES],
    ['traffic_fines', 'status', BILL_STATUSES],
    ['incidents', 'status', INCIDENT_STATUSES],
  ] as const)('%s.%s', (table, column, values) => {
    expect(checkValues(table, column).sort()).toEqual([...values].sort());
  });
});
