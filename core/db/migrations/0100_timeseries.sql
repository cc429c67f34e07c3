-- Embedded time-series store (used when INFLUX_URL is unset): one row per sample of one field,
-- like InfluxDB's data model, so "same series, field and time replaces" holds by primary key.
CREATE TABLE ts_samples (
  measurement text NOT NULL,
  series text NOT NULL,
  tags jsonb NOT NULL,
  field text NOT NULL,
  time timestamptz NOT NULL,
  value double precision NOT NULL,
  PRIMARY KEY (measurement, series, field, time)
);
CREATE INDEX ts_samples_time ON ts_samples (time);
