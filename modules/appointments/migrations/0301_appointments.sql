-- Doctor appointments, modelled on HL7 FHIR: a Schedule (doctor) offers Slots with a capacity;
-- an Appointment takes one place in a slot. `booked` never exceeds `capacity` (CHECK), and one
-- patient (id number) holds at most one live appointment per slot (partial unique index).
CREATE TABLE hospitals (
  id text PRIMARY KEY,
  city text NOT NULL,
  name text NOT NULL,
  grade text NOT NULL,
  address text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL
);
CREATE INDEX hospitals_city ON hospitals (city);

CREATE TABLE departments (
  id text PRIMARY KEY,
  hospital_id text NOT NULL REFERENCES hospitals (id),
  name text NOT NULL
);
CREATE INDEX departments_hospital ON departments (hospital_id);

CREATE TABLE doctors (
  id text PRIMARY KEY,
  department_id text NOT NULL REFERENCES departments (id),
  name text NOT NULL,
  title text NOT NULL,
  specialty text NOT NULL
);
CREATE INDEX doctors_department ON doctors (department_id);

CREATE TABLE slots (
  id text PRIMARY KEY,
  doctor_id text NOT NULL REFERENCES doctors (id),
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  capacity integer NOT NULL CHECK (capacity > 0),
  booked integer NOT NULL DEFAULT 0,
  fee numeric(10, 2) NOT NULL CHECK (fee >= 0),
  CHECK (booked >= 0 AND booked <= capacity)
);
CREATE INDEX slots_doctor_start ON slots (doctor_id, start_at);

CREATE TABLE appointments (
  id text PRIMARY KEY,
  slot_id text NOT NULL REFERENCES slots (id),
  user_id text NOT NULL,
  patient_name text NOT NULL,
  patient_id_number text NOT NULL,
  patient_phone text NOT NULL,
  status text NOT NULL CHECK (status IN ('booked', 'cancelled')),
  fee numeric(10, 2) NOT NULL,
  paid boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz
);
CREATE INDEX appointments_user ON appointments (user_id, created_at DESC);
CREATE UNIQUE INDEX appointments_one_per_patient ON appointments (slot_id, patient_id_number)
  WHERE status = 'booked';
