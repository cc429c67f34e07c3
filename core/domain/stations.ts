// The station registry: a table in the hub's database, and a cache the ingest paths check every
// reading against. A miss reloads the registry (at most every 250 ms, waiting out the rest), so a
// station created through the API, by any process, is known to the next reading that names it.
// A cache older than 5 s is reloaded before it answers (one reload in flight at a time), so an
// edit, a disable or a delete made through any process is honoured by every ingest process
// within about 5 s.
import type { CityId } from '../events/air.ts';
import type { Queryable } from '../db/index.ts';
import type { LocalizedNames } from '../events/names.ts';

export interface Station {
  id: string;
  name: string;
  city: CityId;
  lat: number;
  lon: number;
  /** A disabled station's readings are refused as an unknown station's are. */
  enabled: boolean;
  /** Its name in other languages (language tag → name): a page shows its language's, else `name`. */
  names: LocalizedNames;
}

/** What creating a station takes: `enabled` defaults to true, `names` to none. */
export type NewStation = Omit<Station, 'enabled' | 'names'> & {
  enabled?: boolean | undefined;
  names?: LocalizedNames | undefined;
};

const COLUMNS = 'id, name, city, lat, lon, enabled, names';

export async function listStations(db: Queryable, city?: string): Promise<Station[]> {
  const { rows } = await db.query<Station>(
    `SELECT ${COLUMNS} FROM air_stations WHERE ($1::text IS NULL OR city = $1) ORDER BY id`,
    [city ?? null],
  );
  return rows;
}

/** One station; `forUpdate` locks its row until the transaction `db` belongs to ends. */
export async function getStation(db: Queryable, id: string, forUpdate = false): Promise<Station | null> {
  const { rows } = await db.query<Station>(
    `SELECT ${COLUMNS} FROM air_stations WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ?? null;
}

/** Inserts; resolves the station as stored, or null when the id is taken. */
export async function createStation(db: Queryable, s: NewStation): Promise<Station | null> {
  const { rows } = await db.query<Station>(
    `INSERT INTO air_stations (id, name, city, lat, lon, enabled, names) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
    [s.id, s.name, s.city, s.lat, s.lon, s.enabled ?? true, JSON.stringify(s.names ?? {})],
  );
  return rows[0] ?? null;
}

/** Replaces every field but the id; resolves the station as stored, or null when there is none. */
export async function updateStation(db: Queryable, s: Station): Promise<Station | null> {
  const { rows } = await db.query<Station>(
    `UPDATE air_stations SET name = $2, city = $3, lat = $4, lon = $5, enabled = $6, names = $7
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [s.id, s.name, s.city, s.lat, s.lon, s.enabled, JSON.stringify(s.names)],
  );
  return rows[0] ?? null;
}

/** Deletes the row (readings in the time-series store are kept); resolves what was deleted. */
export async function deleteStation(db: Queryable, id: string): Promise<Station | null> {
  const { rows } = await db.query<Station>(`DELETE FROM air_stations WHERE id = $1 RETURNING ${COLUMNS}`, [
    id,
  ]);
  return rows[0] ?? null;
}

/** How old the cache may be when it answers: the bound on an edit reaching every ingest process. */
export const STATION_CACHE_MAX_AGE_MS = 5_000;

export class StationCache {
  private byId = new Map<string, Station>();
  /** When the last successful load started: what the cache reflects is at least that recent. */
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  private readonly db: Queryable;
  private readonly minReloadMs;
  private readonly maxAgeMs;

  constructor(db: Queryable, minReloadMs = 250, maxAgeMs = STATION_CACHE_MAX_AGE_MS) {
    this.db = db;
    this.minReloadMs = minReloadMs;
    this.maxAgeMs = maxAgeMs;
  }

  /** Reloads the registry; callers arriving while a reload runs share it (one in flight). */
  async load(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const since = Date.now() - this.loadedAt;
        if (since < this.minReloadMs) await new Promise((r) => setTimeout(r, this.minReloadMs - since));
        const startedAt = Date.now();
        const stations = await listStations(this.db);
        this.byId = new Map(stations.map((s) => [s.id, s]));
        this.loadedAt = startedAt;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  get(id: string): Station | undefined {
    return this.byId.get(id);
  }

  /**
   * Reloads first when the cache is older than the bound. A reload that fails (the database
   * unreachable) leaves the last registry read in force rather than failing the reading; the
   * next call tries again.
   */
  async fresh(): Promise<void> {
    if (Date.now() - this.loadedAt <= this.maxAgeMs) return;
    try {
      await this.load();
    } catch {
      // Kept: the last registry read. A miss still fails loudly (ensure).
    }
  }

  /**
   * Makes the cache fresh (see `fresh`), then makes sure every id is known if the registry has
   * it, reloading once when one is missing. `ensure([])` only does the first.
   */
  async ensure(ids: Iterable<string>): Promise<void> {
    // Before the freshness reload: a reload that reload starts then counts for a miss too.
    const missAt = Date.now();
    await this.fresh();
    for (const id of ids) {
      if (this.byId.has(id)) continue;
      // A load already running may have read the table before the station was created.
      while (this.loadedAt < missAt) await this.load();
      return;
    }
  }
}
