// Coach and rail tickets. A seat row names the ticket holding it, so a seat can never be on two
// tickets; claiming is one guarded UPDATE over the wanted seats (all or nothing). Holds end after
// CITYSTREAM_TICKET_HOLD_SECONDS: the expiry sweep frees the seats and announces it. Hold times are
// set and judged by the hub's clock (`at`, core/clock.ts), so tests advance a TestClock past a hold.
import { Conflict, NotFound, Unprocessable } from '../../core/errors.ts';
import type { Principal } from '../../core/auth/index.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import type { TicketStatus } from '../../core/domain/statuses.ts';
import type { LocalizedNames } from '../../core/events/names.ts';
import { EVENT_TYPES } from '../../core/events/catalog.ts';
import { settleTargetOnCancel } from '../payments/index.ts';
import { assertOwner, money, newId } from '../../core/module/common.ts';
import { bookingEvent, recordEvent } from '../../core/outbox/write.ts';

interface TicketRow {
  id: string;
  departure_id: string;
  user_id: string;
  status: TicketStatus;
  seat_nos: string[];
  passenger_name: string;
  passenger_id_number: string;
  amount: string;
  hold_expires_at: Date | null;
  created_at: Date;
}

/** A departure's service, stops and times (the columns of departures, 0302 and 0317). */
interface DepartureTrip {
  service_no: string;
  mode: 'coach' | 'rail'; // the CHECK in 0302
  from_city: string;
  to_city: string;
  from_station: string;
  to_station: string;
  from_station_names: LocalizedNames;
  to_station_names: LocalizedNames;
  depart_at: Date;
  arrive_at: Date;
}

/** Which service, from where to where, when: as departures and tickets both answer it. */
const tripView = (d: DepartureTrip) => ({
  serviceNo: d.service_no,
  mode: d.mode,
  from: { city: d.from_city, station: d.from_station, stationNames: d.from_station_names },
  to: { city: d.to_city, station: d.to_station, stationNames: d.to_station_names },
  departAt: d.depart_at.toISOString(),
  arriveAt: d.arrive_at.toISOString(),
});

/** A ticket with its departure, as every answer about a ticket gives it. */
const SELECT_TICKET = `
  SELECT t.*, d.service_no, d.mode, d.from_city, d.to_city, d.from_station, d.to_station,
         d.from_station_names, d.to_station_names, d.depart_at, d.arrive_at
  FROM tickets t JOIN departures d ON d.id = t.departure_id`;

export const ticketView = (t: TicketRow & DepartureTrip) => ({
  id: t.id,
  departureId: t.departure_id,
  departure: tripView(t),
  status: t.status,
  seats: t.seat_nos,
  passenger: { name: t.passenger_name },
  amount: money(t.amount),
  currency: 'CNY' as const,
  ...(t.hold_expires_at && t.status === 'held' ? { holdExpiresAt: t.hold_expires_at.toISOString() } : {}),
  createdAt: t.created_at.toISOString(),
});

const event = (t: TicketRow, status: string) => ({
  bookingId: t.id,
  userId: t.user_id,
  kind: 'ticket' as const,
  status,
  amount: money(t.amount),
  details: {
    departureId: t.departure_id,
    seats: t.seat_nos,
    // push (modules/push) warns the holder before the hold ends
    ...(status === 'held' && t.hold_expires_at ? { holdExpiresAt: t.hold_expires_at.toISOString() } : {}),
  },
  at: new Date().toISOString(),
});

/** Ends holds past their time (one departure, or all), frees their seats, writes booking.expired. */
export async function expireHolds(tx: Queryable, at: Date, departureId?: string): Promise<number> {
  const { rows } = await tx.query<TicketRow>(
    `UPDATE tickets SET status = 'expired', updated_at = now()
     WHERE status = 'held' AND hold_expires_at < $2 AND ($1::text IS NULL OR departure_id = $1)
     RETURNING *`,
    [departureId ?? null, at],
  );
  for (const t of rows) {
    await tx.query('UPDATE seats SET ticket_id = NULL WHERE ticket_id = $1', [t.id]);
    await settleTargetOnCancel(tx, 'ticket', t.id);
    await recordEvent(tx, bookingEvent(EVENT_TYPES.bookingExpired, event(t, 'expired')), `ticket/${t.id}`);
  }
  return rows.length;
}

export interface HoldRequest {
  departureId: string;
  seats?: string[] | undefined;
  count?: number | undefined;
  passenger: { name: string; idNumber: string };
}

export async function holdSeats(db: Db, userId: string, req: HoldRequest, holdSeconds: number, at: Date) {
  return db.transaction(async (tx) => {
    const dep = await tx.query<{ price: string; departed: boolean }>(
      'SELECT price, depart_at <= now() AS departed FROM departures WHERE id = $1',
      [req.departureId],
    );
    if (!dep.rows[0]) throw new NotFound(`departure ${req.departureId} not found`);
    if (dep.rows[0].departed) throw new Conflict(`departure ${req.departureId} has left`);
    await expireHolds(tx, at, req.departureId);

    let wanted = req.seats;
    if (!wanted) {
      // Assigned seating: the first free seats, skipping rows other bookers are claiming right now.
      const free = await tx.query<{ seat_no: string }>(
        `SELECT seat_no FROM seats WHERE departure_id = $1 AND ticket_id IS NULL
         ORDER BY seat_no LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [req.departureId, req.count ?? 1],
      );
      wanted = free.rows.map((r) => r.seat_no);
      if (wanted.length < (req.count ?? 1))
        throw new Conflict(`not enough free seats on departure ${req.departureId}`);
    } else {
      const known = await tx.query<{ seat_no: string }>(
        'SELECT seat_no FROM seats WHERE departure_id = $1 AND seat_no = ANY($2::text[])',
        [req.departureId, wanted],
      );
      const unknown = wanted.filter((s) => !known.rows.some((r) => r.seat_no === s));
      if (unknown.length) {
        throw new Unprocessable(`no such seats on departure ${req.departureId}: ${unknown.join(', ')}`, [
          { in: 'body', field: 'seats', message: `unknown seats ${unknown.join(', ')}` },
        ]);
      }
    }

    const id = newId('tkt');
    const amount = (Number(dep.rows[0].price) * wanted.length).toFixed(2);
    await tx.query(
      `INSERT INTO tickets (id, departure_id, user_id, status, seat_nos, passenger_name, passenger_id_number, amount, hold_expires_at)
       VALUES ($1, $2, $3, 'held', $4, $5, $6, $7, $9::timestamptz + make_interval(secs => $8))`,
      [
        id,
        req.departureId,
        userId,
        wanted,
        req.passenger.name,
        req.passenger.idNumber,
        amount,
        holdSeconds,
        at,
      ],
    );
    const claimed = await tx.query(
      `UPDATE seats SET ticket_id = $1 WHERE departure_id = $2 AND seat_no = ANY($3::text[]) AND ticket_id IS NULL`,
      [id, req.departureId, wanted],
    );
    if (claimed.rowCount !== wanted.length)
      throw new Conflict(`seat already taken on departure ${req.departureId}`);
    const t = (await tx.query<TicketRow & DepartureTrip>(`${SELECT_TICKET} WHERE t.id = $1`, [id])).rows[0]!;
    await recordEvent(tx, bookingEvent(EVENT_TYPES.bookingCreated, event(t, 'held')), `ticket/${id}`);
    return ticketView(t);
  });
}

export async function getTicket(db: Queryable, principal: Principal, id: string, at: Date) {
  const t = (await db.query<TicketRow & DepartureTrip>(`${SELECT_TICKET} WHERE t.id = $1`, [id])).rows[0];
  if (!t) throw new NotFound(`ticket ${id} not found`);
  assertOwner(principal, t.user_id, 'ticket', id);
  return ticketView({
    ...t,
    status: t.status === 'held' && t.hold_expires_at! < at ? 'expired' : t.status,
  });
}

export async function listTickets(db: Queryable, userId: string) {
  const { rows } = await db.query<TicketRow & DepartureTrip>(
    `${SELECT_TICKET} WHERE t.user_id = $1 ORDER BY t.created_at DESC LIMIT 200`,
    [userId],
  );
  return rows.map(ticketView);
}

export async function cancelTicket(db: Db, principal: Principal, id: string) {
  return db.transaction(async (tx) => {
    const t = (
      await tx.query<TicketRow & DepartureTrip>(`${SELECT_TICKET} WHERE t.id = $1 FOR UPDATE OF t`, [id])
    ).rows[0];
    if (!t) throw new NotFound(`ticket ${id} not found`);
    assertOwner(principal, t.user_id, 'ticket', id);
    if (t.status !== 'held' && t.status !== 'paid') throw new Conflict(`ticket ${id} is ${t.status}`);
    await tx.query(
      `UPDATE tickets SET status = 'cancelled', hold_expires_at = NULL, updated_at = now() WHERE id = $1`,
      [id],
    );
    await tx.query('UPDATE seats SET ticket_id = NULL WHERE ticket_id = $1', [id]);
    const payment = await settleTargetOnCancel(tx, 'ticket', id);
    const after = { ...t, status: 'cancelled' as const };
    await recordEvent(
      tx,
      bookingEvent(EVENT_TYPES.bookingCancelled, event(after, 'cancelled')),
      `ticket/${id}`,
    );
    return { ...ticketView(after), ...(payment ? { payment } : {}) };
  });
}

export async function listDepartures(
  db: Queryable,
  from: string,
  to: string,
  dayStart: Date,
  dayEnd: Date,
  at: Date,
) {
  const { rows } = await db.query<
    DepartureTrip & {
      id: string;
      operator: string;
      operator_names: LocalizedNames;
      price: string;
      seats_free: number;
      seats_total: number;
    }
  >(
    `SELECT d.*,
       (SELECT count(*) FROM seats s LEFT JOIN tickets t ON t.id = s.ticket_id
        WHERE s.departure_id = d.id AND (s.ticket_id IS NULL OR (t.status = 'held' AND t.hold_expires_at < $5)))::int AS seats_free,
       (SELECT count(*) FROM seats s WHERE s.departure_id = d.id)::int AS seats_total
     FROM departures d
     WHERE d.from_city = $1 AND d.to_city = $2 AND d.depart_at >= $3 AND d.depart_at < $4
     ORDER BY d.depart_at`,
    [from, to, dayStart, dayEnd, at],
  );
  return rows.map((d) => ({
    id: d.id,
    ...tripView(d),
    operator: d.operator,
    operatorNames: d.operator_names,
    price: money(d.price),
    currency: 'CNY' as const,
    seatsFree: d.seats_free,
    seatsTotal: d.seats_total,
  }));
}

export async function seatMap(db: Queryable, departureId: string, at: Date) {
  const d = await db.query('SELECT 1 FROM departures WHERE id = $1', [departureId]);
  if (d.rowCount === 0) throw new NotFound(`departure ${departureId} not found`);
  const { rows } = await db.query<{ seat_no: string; class: string; free: boolean }>(
    `SELECT s.seat_no, s.class,
       (s.ticket_id IS NULL OR (t.status = 'held' AND t.hold_expires_at < $2)) AS free
     FROM seats s LEFT JOIN tickets t ON t.id = s.ticket_id
     WHERE s.departure_id = $1 ORDER BY s.seat_no`,
    [departureId, at],
  );
  return rows.map((s) => ({
    seatNo: s.seat_no,
    class: s.class,
    status: s.free ? ('free' as const) : ('taken' as const),
  }));
}
