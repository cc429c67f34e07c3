-- Electricity bills per account and traffic fines per vehicle. Each is paid at most once: the
-- payment that succeeds flips status from 'unpaid' to 'paid' with a guarded UPDATE.
CREATE TABLE electricity_accounts (
  account_no text PRIMARY KEY,
  city text NOT NULL,
  holder_masked text NOT NULL,
  address_masked text NOT NULL
);

CREATE TABLE electricity_bills (
  id text PRIMARY KEY,
  account_no text NOT NULL REFERENCES electricity_accounts (account_no),
  period text NOT NULL,
  kwh numeric(10, 1) NOT NULL,
  amount numeric(10, 2) NOT NULL CHECK (amount > 0),
  due_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('unpaid', 'paid')) DEFAULT 'unpaid',
  paid_at timestamptz,
  UNIQUE (account_no, period)
);

CREATE TABLE traffic_fines (
  id text PRIMARY KEY,
  city text NOT NULL,
  plate text NOT NULL,
  engine_no text NOT NULL,
  offence text NOT NULL,
  location text NOT NULL,
  occurred_at timestamptz NOT NULL,
  amount numeric(10, 2) NOT NULL CHECK (amount > 0),
  points integer NOT NULL DEFAULT 0,
  status text NOT NULL CHECK (status IN ('unpaid', 'paid')) DEFAULT 'unpaid',
  paid_at timestamptz
);
CREATE INDEX traffic_fines_plate ON traffic_fines (plate);
