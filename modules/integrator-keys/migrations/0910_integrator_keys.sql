-- Integrator keys staff manage: the secret is shown once and only its SHA-256 is kept (secrets are
-- 192 random bits, so a fast hash is enough). Scope: a city, or a list of stations, or neither.
-- Usage counts are added by the ingest processes every second or so.
CREATE TABLE integrator_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  hash text NOT NULL UNIQUE,
  retired_hashes text[] NOT NULL DEFAULT '{}',
  city text,
  stations text[] NOT NULL DEFAULT '{}',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz,
  revoked_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  accepted bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0
);
