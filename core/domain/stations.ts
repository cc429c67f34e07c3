// The station registry: a table in the hub's database, and a cache the ingest paths check every
// reading against. A miss reloads the registry (at most every 250 ms, waiting out the rest), so a
// station created through the API, by any process, is known to the next reading that names it.
import type { CityId } from '../events/air.ts';
import type { Db } from '../db/index.ts';

export interface Station {
  id: string;
  name: string;
  city: CityId;
  lat: number;
  lon: number;
}

export async function listStations(db: Db, city?: string): Promise<Station[]> {
  const { rows } = await db.query<Station>(
    `SELECT id, name, city, lat, lon FROM air_stations WHERE ($1::text IS NULL OR city = $1) ORDER BY id`,
    [city ?? null],
  );
  return rows;
}

export async function getStation(db: Db, id: string): Promise<Station | null> {
  const { rows } = await db.query<Station>(
    'SELECT id, name, city, lat, lon FROM air_stations WHERE id = $1',
    [id],
  );
  return rows[0] ?? null;
}

/** Inserts; resolves false when the id is taken. */
export async function createStation(db: Db, s: Station): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO air_stations (id, name, city, lat, lon) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [s.id, s.name, s.city, s.lat, s.lon],
  );
  return rowCount === 1;
}

export class StationCache {
  private byId = new Map<string, Station>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  private readonly db: Db;
  private readonly minReloadMs;

  constructor(db: Db, minReloadMs = 250) {
    this.db = db;
    this.minReloadMs = minReloadMs;
  }

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

  /** Makes sure every id is known if the registry has it, reloading once when one is missing. */
  async ensure(ids: Iterable<string>): Promise<void> {
    const missAt = Date.now();
    for (const id of ids) {
      if (this.byId.has(id)) continue;
      // A load already running may have read the table before the station was created.
      while (this.loadedAt < missAt) await this.load();
      return;
    }
  }
}
