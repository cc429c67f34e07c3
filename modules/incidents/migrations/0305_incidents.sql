-- Incident reports to police. Status moves only forward through the workflow (checked in code);
-- every change is kept in incident_updates for the reporter and for Open311 status notes.
CREATE TABLE incidents (
  id text PRIMARY KEY,
  city text NOT NULL,
  category text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  address text,
  description text NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'acknowledged', 'in_progress', 'resolved', 'rejected')),
  status_note text,
  reporter_id text,
  reporter_name text,
  reporter_phone text,
  reporter_email text,
  photo bytea,
  photo_type text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_city_status ON incidents (city, status, created_at DESC);

CREATE TABLE incident_updates (
  id bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id),
  from_status text NOT NULL,
  to_status text NOT NULL,
  note text,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, id);
