-- dlq.v1 as staff work with it: each dead letter once (its Kafka position is the id), its status
-- (open, replayed, discarded) and every replay recorded.
CREATE TABLE dead_letters (
  id text PRIMARY KEY,
  origin text NOT NULL,
  topic text,
  key text,
  reason text NOT NULL,
  issues jsonb NOT NULL DEFAULT '[]',
  raw text NOT NULL,
  raw_bytes integer,
  replay_of text,
  received_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letters_status ON dead_letters (status, received_at DESC);

CREATE TABLE dead_letter_replays (
  id bigserial PRIMARY KEY,
  dead_letter_id text NOT NULL REFERENCES dead_letters (id),
  replayed_by text NOT NULL,
  replayed_at timestamptz NOT NULL DEFAULT now(),
  target text NOT NULL
);
