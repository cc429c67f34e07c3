-- Air-quality monitoring stations: the registry every reading is checked against.
CREATE TABLE air_stations (
  id text PRIMARY KEY,
  name text NOT NULL,
  city text NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX air_stations_city ON air_stations (city);
