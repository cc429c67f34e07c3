-- Long-distance coach and rail. A seat row points at the ticket holding or owning it, so one seat
-- of one departure can never belong to two tickets; a hold carries its expiry.
CREATE TABLE departures (
  id text PRIMARY KEY,
  mode text NOT NULL CHECK (mode IN ('coach', 'rail')),
  operator text NOT NULL,
  service_no text NOT NULL,
  from_city text NOT NULL,
  to_city text NOT NULL,
  from_station text NOT NULL,
  to_station text NOT NULL,
  depart_at timestamptz NOT NULL,
  arrive_at timestamptz NOT NULL,
  price numeric(10, 2) NOT NULL CHECK (price >= 0)
);
CREATE INDEX departures_route ON departures (from_city, to_city, depart_at);

CREATE TABLE tickets (
  id text PRIMARY KEY,
  departure_id text NOT NULL REFERENCES departures (id),
  user_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('held', 'paid', 'cancelled', 'expired')),
  seat_nos text[] NOT NULL,
  passenger_name text NOT NULL,
  passenger_id_number text NOT NULL,
  amount numeric(10, 2) NOT NULL,
  hold_expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_user ON tickets (user_id, created_at DESC);
CREATE INDEX tickets_held ON tickets (hold_expires_at) WHERE status = 'held';

CREATE TABLE seats (
  departure_id text NOT NULL REFERENCES departures (id),
  seat_no text NOT NULL,
  class text NOT NULL,
  ticket_id text REFERENCES tickets (id),
  PRIMARY KEY (departure_id, seat_no)
);
