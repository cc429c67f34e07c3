// Incident reports: create (with an optional photo), list/filter, staff status changes. Each change
// writes its incidents.v1 event (carrying the city, for incidents:city:{city}) in the same transaction.
// Those events reach the public incidents:city channels: they never carry who reported or how to
// reach them (reporter id, name, phone, email stay in the database).
import { NotFound } from '../../core/errors.ts';
import type { Principal } from '../../core/auth/index.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import { newId, type City } from '../../core/module/common.ts';
import { recordEvent } from '../../core/outbox/write.ts';
import { districts } from './districts.ts';
import type { IncidentStatus } from './model.ts';

export interface NewIncident {
  city: City;
  category: string;
  lat: number;
  lon: number;
  address?: string | undefined;
  description: string;
  reporter: { name?: string | undefined; phone?: string | undefined; email?: string | undefined };
  reporterId?: string | undefined;
  photo?: { bytes: Buffer; type: string } | undefined;
}

export interface IncidentRow {
  id: string;
  city: string;
  category: string;
  lat: number;
  lon: number;
  address: string | null;
  /** Chinese name of the pin's district (districts.ts), null outside every district. */
  district: string | null;
  description: string;
  status: IncidentStatus;
  status_note: string | null;
  reporter_id: string | null;
  reporter_name: string | null;
  reporter_phone: string | null;
  reporter_email: string | null;
  has_photo: boolean;
  created_at: Date;
  updated_at: Date;
  /** Starts at 1, one more on every staff change: the ETag staff send back in If-Match. */
  version: number;
  department: string | null;
}

export const COLUMNS = `id, city, category, lat, lon, address, district, description, status, status_note, reporter_id, reporter_name,
  reporter_phone, reporter_email, photo IS NOT NULL AS has_photo, created_at, updated_at, version, department`;

/** Contact details go to staff and to the reporter; the public sees the report only. */
export function incidentView(i: IncidentRow, viewer: Principal | null) {
  const privileged = viewer !== null && (viewer.role === 'staff' || viewer.sub === i.reporter_id);
  return {
    id: i.id,
    city: i.city,
    category: i.category,
    lat: i.lat,
    lon: i.lon,
    ...(i.address ? { address: i.address } : {}),
    district: districtView(i.district),
    description: i.description,
    status: i.status,
    ...(i.status_note ? { statusNote: i.status_note } : {}),
    photoUrl: i.has_photo ? `/v1/incidents/${i.id}/photo` : null,
    createdAt: i.created_at.toISOString(),
    updatedAt: i.updated_at.toISOString(),
    version: i.version,
    ...(i.department ? { department: i.department } : {}),
    ...(privileged
      ? { reporter: { name: i.reporter_name, phone: i.reporter_phone, email: i.reporter_email } }
      : {}),
  };
}

/** The stored district name with its English one, for clients showing either language. */
export function districtView(zh: string | null): { zh: string; en: string } | null {
  if (!zh) return null;
  return { zh, en: districts().named(zh)?.en ?? zh };
}

export async function createIncident(db: Db, n: NewIncident): Promise<IncidentRow> {
  // From the pin, on the hub: a client cannot claim another district.
  const district = districts().at({ lat: n.lat, lon: n.lon })?.zh ?? null;
  return db.transaction(async (tx) => {
    const id = newId('inc');
    const row = (
      await tx.query<IncidentRow>(
        `INSERT INTO incidents (id, city, category, lat, lon, address, description, status, reporter_id, reporter_name,
           reporter_phone, reporter_email, photo, photo_type, district)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'submitted', $8, $9, $10, $11, $12, $13, $14) RETURNING ${COLUMNS}`,
        [
          id,
          n.city,
          n.category,
          n.lat,
          n.lon,
          n.address ?? null,
          n.description,
          n.reporterId ?? null,
          n.reporter.name ?? null,
          n.reporter.phone ?? null,
          n.reporter.email ?? null,
          n.photo?.bytes ?? null,
          n.photo?.type ?? null,
          district,
        ],
      )
    ).rows[0]!;
    await recordEvent(
      tx,
      {
        topic: TOPICS.incidents.name,
        type: EVENT_TYPES.incidentReported,
        data: {
          incidentId: id,
          city: n.city,
          category: n.category,
          lat: n.lat,
          lon: n.lon,
          description: n.description,
          status: 'submitted',
          reportedAt: row.created_at.toISOString(),
          hasPhoto: n.photo !== undefined,
        },
      },
      `incident/${id}`,
    );
    return row;
  });
}

export async function getIncident(db: Queryable, id: string): Promise<IncidentRow> {
  const row = (await db.query<IncidentRow>(`SELECT ${COLUMNS} FROM incidents WHERE id = $1`, [id])).rows[0];
  if (!row) throw new NotFound(`incident ${id} not found`);
  return row;
}

export interface IncidentFilter {
  city?: string | undefined;
  status?: IncidentStatus[] | undefined;
  category?: string | undefined;
  bbox?: [number, number, number, number] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  ids?: string[] | undefined;
  limit?: number | undefined;
}

export async function listIncidents(db: Queryable, f: IncidentFilter): Promise<IncidentRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql.replace(/\?/g, () => `$${params.push(values.shift())}`));
  };
  if (f.city) add('city = ?', f.city);
  if (f.status?.length) add('status = ANY(?::text[])', f.status);
  if (f.category) add('category = ?', f.category);
  if (f.bbox) add('lon >= ? AND lat >= ? AND lon <= ? AND lat <= ?', ...f.bbox);
  if (f.from) add('created_at >= ?', f.from);
  if (f.to) add('created_at <= ?', f.to);
  if (f.ids?.length) add('id = ANY(?::text[])', f.ids);
  const { rows } = await db.query<IncidentRow>(
    `SELECT ${COLUMNS} FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY created_at DESC LIMIT ${Math.min(f.limit ?? 200, 1000)}`,
    params,
  );
  return rows;
}

export async function incidentPhoto(db: Queryable, id: string): Promise<{ bytes: Buffer; type: string }> {
  const r = (
    await db.query<{ photo: Buffer | Uint8Array | null; photo_type: string | null }>(
      'SELECT photo, photo_type FROM incidents WHERE id = $1',
      [id],
    )
  ).rows[0];
  if (!r?.photo || !r.photo_type) throw new NotFound(`incident ${id} has no photo`);
  return { bytes: Buffer.from(r.photo), type: r.photo_type };
}
