// Doctor appointments (FHIR Schedule/Slot/Appointment). Booking takes a place with one guarded
// UPDATE (booked < capacity), so concurrent requests serialise on the slot row and never overbook;
// the same statement writes the appointment and its outbox event.
import { Conflict, NotFound } from '../../core/errors.ts';
import type { Principal } from '../../core/auth/index.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { prepared, sqlState } from '../../core/db/types.ts';
import type { AppointmentStatus } from '../../core/domain/statuses.ts';
import type { LocalizedNames } from '../../core/events/names.ts';
import { EVENT_TYPES } from '../../core/events/catalog.ts';
import { settleTargetOnCancel } from '../payments/index.ts';
import { assertOwner, money, newId } from '../../core/module/common.ts';
import { bookingEvent, outboxRow, recordEvent } from '../../core/outbox/write.ts';

export interface Patient {
  name: string;
  idNumber: string;
  phone: string;
}

/** Where and when a slot is, as both appointment and slot queries join it. */
interface SlotPlace {
  start_at: Date;
  end_at: Date;
  doctor_id: string;
  doctor_name: string;
  doctor_names: LocalizedNames;
  department_name: string;
  department_names: LocalizedNames;
  hospital_id: string;
  hospital_name: string;
  hospital_names: LocalizedNames;
  hospital_address: string;
  hospital_addresses: LocalizedNames;
  city: string;
}

interface AppointmentRow extends SlotPlace {
  id: string;
  slot_id: string;
  user_id: string;
  patient_name: string;
  patient_id_number: string;
  patient_phone: string;
  status: AppointmentStatus;
  fee: string;
  paid: boolean;
  created_at: Date;
  cancelled_at: Date | null;
}

/** A slot's place (SlotPlace): its times, doctor, department and hospital, read from slot `s`. */
const SLOT_PLACE_COLUMNS = `s.start_at, s.end_at, s.doctor_id, d.name AS doctor_name, d.names AS doctor_names,
         dep.name AS department_name, dep.names AS department_names,
         h.id AS hospital_id, h.name AS hospital_name, h.names AS hospital_names,
         h.address AS hospital_address, h.addresses AS hospital_addresses, h.city`;
const SLOT_PLACE_JOINS = `JOIN doctors d ON d.id = s.doctor_id
  JOIN departments dep ON dep.id = d.department_id
  JOIN hospitals h ON h.id = dep.hospital_id`;

const SELECT_APPOINTMENT = `
  SELECT a.*, ${SLOT_PLACE_COLUMNS}
  FROM appointments a
  JOIN slots s ON s.id = a.slot_id
  ${SLOT_PLACE_JOINS}`;

/** Identity numbers are shown masked: enough for the patient to recognise, useless to others. */
const maskId = (id: string) =>
  id.length <= 8 ? '****' : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;

export const appointmentView = (a: AppointmentRow) => ({
  id: a.id,
  slotId: a.slot_id,
  status: a.status,
  fee: money(a.fee),
  currency: 'CNY' as const,
  paid: a.paid,
  start: a.start_at.toISOString(),
  end: a.end_at.toISOString(),
  doctor: { id: a.doctor_id, name: a.doctor_name, names: a.doctor_names },
  department: a.department_name,
  departmentNames: a.department_names,
  hospital: {
    id: a.hospital_id,
    name: a.hospital_name,
    names: a.hospital_names,
    // Where to go, in the page's language as the name is.
    address: a.hospital_address,
    addresses: a.hospital_addresses,
    city: a.city,
  },
  patient: { name: a.patient_name, idNumber: maskId(a.patient_id_number), phone: a.patient_phone },
  createdAt: a.created_at.toISOString(),
  ...(a.cancelled_at ? { cancelledAt: a.cancelled_at.toISOString() } : {}),
});

const event = (a: AppointmentRow, status: string) => ({
  bookingId: a.id,
  userId: a.user_id,
  kind: 'appointment' as const,
  status,
  amount: money(a.fee),
  details: {
    slotId: a.slot_id,
    hospitalId: a.hospital_id,
    doctorId: a.doctor_id,
    start: a.start_at.toISOString(),
  },
  at: new Date().toISOString(),
});

interface SlotInfo extends SlotPlace {
  fee: string;
  capacity: number;
  booked: number;
  past: boolean;
}

const SELECT_SLOT = prepared(`
  SELECT s.fee, s.capacity, s.booked, s.start_at <= now() AS past, ${SLOT_PLACE_COLUMNS}
  FROM slots s
  ${SLOT_PLACE_JOINS}
  WHERE s.id = $1`);

/** Where, when and for how much a slot is: what a booking needs from the slot besides a place. */
type SlotTerms = SlotPlace & { fee: string };

/**
 * The terms of slots this process has read. They never change once a slot is published (no route
 * changes a slot's fee or times, or a doctor's, department's or hospital's name or address), so a
 * booking of a known slot skips reading them: BEGIN and the booking statement, which checks the
 * place is still free and the slot not started, leave in one write — one database round trip fewer.
 * One per app (per database): slot ids mean nothing across databases.
 */
export class SlotTermsCache {
  private readonly terms = new Map<string, SlotTerms>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  get(slotId: string): SlotTerms | undefined {
    return this.terms.get(slotId);
  }

  remember(slotId: string, terms: SlotTerms): void {
    // Oldest first out; a slot's terms are small (~300 bytes), 10 000 of them ~3 MB.
    if (!this.terms.has(slotId) && this.terms.size >= this.max) {
      this.terms.delete(this.terms.keys().next().value!);
    }
    this.terms.set(slotId, terms);
  }
}

/** A slot's terms: all it is but its place count and whether it started. */
function termsOf(slot: SlotInfo): SlotTerms {
  const { capacity: _capacity, booked: _booked, past: _past, ...terms } = slot;
  return terms;
}

/** Why a slot as read cannot be booked (not found, started, full), or null when it can. */
function refusalOf(slot: SlotInfo | undefined, slotId: string): Error | null {
  if (!slot) return new NotFound(`slot ${slotId} not found`);
  if (slot.past) return new Conflict(`slot ${slotId} has already started`);
  if (slot.booked >= slot.capacity) return new Conflict(`slot ${slotId} is fully booked`);
  return null;
}

/** Why the booking statement took no place: the slot as it is now, read in the same transaction. */
async function refusal(tx: Queryable, slotId: string): Promise<Error> {
  const slot = (await tx.query<SlotInfo>(SELECT_SLOT, [slotId])).rows[0];
  // Full is what is left when the read still shows a place: another booking took it meanwhile.
  return refusalOf(slot, slotId) ?? new Conflict(`slot ${slotId} is fully booked`);
}

/** Takes a place (guarded) and writes the appointment and its outbox event, in one statement. */
const BOOK = prepared(`
  WITH taken AS (
    UPDATE slots SET booked = booked + 1 WHERE id = $2 AND booked < capacity AND start_at > now() RETURNING id
  ), apt AS (
    INSERT INTO appointments (id, slot_id, user_id, patient_name, patient_id_number, patient_phone, status, fee, created_at)
    SELECT $1, id, $3, $4, $5, $6, 'booked', $7, $8 FROM taken RETURNING id
  )
  INSERT INTO outbox (topic, key, event) SELECT $9, $10, $11 FROM apt`);

async function loadAppointment(q: Queryable, id: string, lock = false): Promise<AppointmentRow | undefined> {
  return (
    await q.query<AppointmentRow>(`${SELECT_APPOINTMENT} WHERE a.id = $1${lock ? ' FOR UPDATE OF a' : ''}`, [
      id,
    ])
  ).rows[0];
}

export async function bookAppointment(
  db: Db,
  userId: string,
  slotId: string,
  patient: Patient,
  known?: SlotTermsCache,
) {
  try {
    return await db.transaction(async (tx) => {
      let terms = known?.get(slotId);
      if (!terms) {
        // Read without locking: fee, times and names never change once published.
        const slot = (await tx.query<SlotInfo>(SELECT_SLOT, [slotId])).rows[0];
        const refused = refusalOf(slot, slotId);
        if (refused) throw refused;
        terms = termsOf(slot!);
        known?.remember(slotId, terms);
      }
      const a: AppointmentRow = {
        ...terms,
        id: newId('apt'),
        slot_id: slotId,
        user_id: userId,
        patient_name: patient.name,
        patient_id_number: patient.idNumber,
        patient_phone: patient.phone,
        status: 'booked',
        paid: false,
        created_at: new Date(),
        cancelled_at: null,
      };
      const announce = outboxRow(
        bookingEvent(EVENT_TYPES.bookingCreated, event(a, 'booked')),
        `appointment/${a.id}`,
      );
      // One statement takes the place (guarded: racing bookers queue on the slot row and re-check
      // booked < capacity and that it has not started) and writes the appointment and its event;
      // a full or started slot writes nothing.
      // One round trip instead of three keeps the hot slot row locked for less time.
      const written = await tx.query(BOOK, [
        a.id,
        slotId,
        userId,
        patient.name,
        patient.idNumber,
        patient.phone,
        a.fee,
        a.created_at,
        announce.topic,
        announce.key,
        announce.event,
      ]);
      // Full or started since it was read (or, for known terms, at all): say which.
      if (written.rowCount === 0) throw await refusal(tx, slotId);
      return appointmentView(a);
    });
  } catch (err) {
    if (sqlState(err) === '23505')
      throw new Conflict(`this patient already holds an appointment in slot ${slotId}`);
    throw err;
  }
}

export async function listAppointments(db: Queryable, userId: string) {
  const { rows } = await db.query<AppointmentRow>(
    `${SELECT_APPOINTMENT} WHERE a.user_id = $1 ORDER BY a.created_at DESC LIMIT 200`,
    [userId],
  );
  return rows.map(appointmentView);
}

export async function getAppointment(db: Queryable, principal: Principal, id: string) {
  const a = await loadAppointment(db, id);
  if (!a) throw new NotFound(`appointment ${id} not found`);
  assertOwner(principal, a.user_id, 'appointment', id);
  return appointmentView(a);
}

/** Frees the place and refunds a paid registration fee, in one transaction. */
export async function cancelAppointment(db: Db, principal: Principal, id: string) {
  return db.transaction(async (tx) => {
    const a = await loadAppointment(tx, id, true);
    if (!a) throw new NotFound(`appointment ${id} not found`);
    assertOwner(principal, a.user_id, 'appointment', id);
    if (a.status === 'cancelled') throw new Conflict(`appointment ${id} is already cancelled`);
    await tx.query(`UPDATE appointments SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [id]);
    await tx.query('UPDATE slots SET booked = booked - 1 WHERE id = $1', [a.slot_id]);
    const payment = await settleTargetOnCancel(tx, 'appointment', id);
    const after = (await loadAppointment(tx, id))!;
    await recordEvent(
      tx,
      bookingEvent(EVENT_TYPES.bookingCancelled, event(after, 'cancelled')),
      `appointment/${id}`,
    );
    return { ...appointmentView(after), ...(payment ? { payment } : {}) };
  });
}

// Directory reads: hospitals, departments, doctors, slots.

export async function listHospitals(db: Queryable, city: string | undefined) {
  const { rows } = await db.query<{
    id: string;
    city: string;
    name: string;
    names: LocalizedNames;
    grade: string;
    grades: LocalizedNames;
    address: string;
    addresses: LocalizedNames;
    lat: number;
    lon: number;
  }>(
    `SELECT id, city, name, names, grade, grades, address, addresses, lat, lon FROM hospitals
     WHERE $1::text IS NULL OR city = $1 ORDER BY city, name`,
    [city ?? null],
  );
  return rows;
}

export async function listDepartments(db: Queryable, hospitalId: string) {
  const h = await db.query('SELECT 1 FROM hospitals WHERE id = $1', [hospitalId]);
  if (h.rowCount === 0) throw new NotFound(`hospital ${hospitalId} not found`);
  return (
    await db.query<{ id: string; hospitalId: string; name: string; names: LocalizedNames }>(
      'SELECT id, hospital_id AS "hospitalId", name, names FROM departments WHERE hospital_id = $1 ORDER BY name',
      [hospitalId],
    )
  ).rows;
}

export async function listDoctors(db: Queryable, departmentId: string) {
  return (
    await db.query<{
      id: string;
      departmentId: string;
      name: string;
      names: LocalizedNames;
      title: string;
      titles: LocalizedNames;
      specialty: string;
    }>(
      `SELECT id, department_id AS "departmentId", name, names, title, titles, specialty FROM doctors WHERE department_id = $1 ORDER BY name`,
      [departmentId],
    )
  ).rows;
}

/** How far ahead the day list of a doctor looks (the hub publishes a week; a hospital may more). */
export const SLOT_DAYS_AHEAD = 31;

/**
 * The China Standard Time days from now on that have slots of the doctor not started yet, with
 * the places left on each: what the booking form offers as days.
 */
export async function listSlotDays(db: Queryable, doctorId: string, now: Date) {
  await assertDoctor(db, doctorId);
  const { rows } = await db.query<{ date: string; slots: number; available: number }>(
    `SELECT to_char(start_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS date,
            count(*)::int AS slots, sum(greatest(capacity - booked, 0))::int AS available
     FROM slots WHERE doctor_id = $1 AND start_at > $2 AND start_at < $3
     GROUP BY 1 ORDER BY 1`,
    [doctorId, now, new Date(now.getTime() + SLOT_DAYS_AHEAD * 86_400_000)],
  );
  return rows;
}

async function assertDoctor(db: Queryable, doctorId: string): Promise<void> {
  const d = await db.query('SELECT 1 FROM doctors WHERE id = $1', [doctorId]);
  if (d.rowCount === 0) throw new NotFound(`doctor ${doctorId} not found`);
}

export async function listSlots(db: Queryable, doctorId: string, from: Date, to: Date) {
  await assertDoctor(db, doctorId);
  const { rows } = await db.query<{
    id: string;
    start_at: Date;
    end_at: Date;
    capacity: number;
    booked: number;
    fee: string;
  }>(
    `SELECT id, start_at, end_at, capacity, booked, fee FROM slots
     WHERE doctor_id = $1 AND start_at >= $2 AND start_at < $3 ORDER BY start_at`,
    [doctorId, from, to],
  );
  return rows.map((s) => ({
    id: s.id,
    doctorId,
    start: s.start_at.toISOString(),
    end: s.end_at.toISOString(),
    capacity: s.capacity,
    available: s.capacity - s.booked,
    status: s.booked >= s.capacity ? ('busy' as const) : ('free' as const),
    fee: money(s.fee),
    currency: 'CNY' as const,
  }));
}
