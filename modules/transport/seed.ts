// Demo coach and rail departures between Shenzhen, Guangzhou and Foshan for the next seven days,
// with seat maps (rail: first class 1A-5F, second class 6A-15F; coach: 45 numbered seats).
import { chineseText, type Seeder } from '../../core/db/seed.ts';
import type { Queryable } from '../../core/db/types.ts';
import type { CityId } from '../../core/domain/cities.ts';
import { TRANSPORT_STATIONS } from '../../core/domain/transport-stations.ts';

// [from, to, mode, operator, prefix, fromStation, toStation, minutes, price, local departure times]
const ROUTES = [
  [
    'guangzhou',
    'shenzhen',
    'rail',
    'China Railway Guangzhou Group',
    'G',
    'Guangzhou South',
    'Shenzhen North',
    35,
    '74.50',
    ['07:15', '09:40', '12:05', '17:30', '20:10'],
  ],
  [
    'shenzhen',
    'guangzhou',
    'rail',
    'China Railway Guangzhou Group',
    'G',
    'Shenzhen North',
    'Guangzhou South',
    35,
    '74.50',
    ['07:05', '10:20', '13:45', '18:00', '21:15'],
  ],
  [
    'guangzhou',
    'foshan',
    'rail',
    'Guangdong Intercity Railway',
    'C',
    'Guangzhou South',
    'Foshan West',
    20,
    '15.00',
    ['08:10', '11:30', '16:45', '19:20'],
  ],
  [
    'foshan',
    'guangzhou',
    'rail',
    'Guangdong Intercity Railway',
    'C',
    'Foshan West',
    'Guangzhou South',
    20,
    '15.00',
    ['07:40', '10:55', '15:10', '18:35'],
  ],
  [
    'shenzhen',
    'foshan',
    'rail',
    'China Railway Guangzhou Group',
    'G',
    'Shenzhen North',
    'Foshan West',
    65,
    '89.00',
    ['08:30', '14:15', '19:00'],
  ],
  [
    'foshan',
    'shenzhen',
    'rail',
    'China Railway Guangzhou Group',
    'G',
    'Foshan West',
    'Shenzhen North',
    65,
    '89.00',
    ['09:05', '15:20', '20:30'],
  ],
  [
    'shenzhen',
    'guangzhou',
    'coach',
    'Shenzhen Luohu Coach Station',
    'K',
    'Luohu Coach Station',
    'Guangdong Provincial Bus Station',
    130,
    '60.00',
    ['08:00', '13:30'],
  ],
  [
    'guangzhou',
    'shenzhen',
    'coach',
    'Guangdong Provincial Bus Station',
    'K',
    'Guangdong Provincial Bus Station',
    'Luohu Coach Station',
    130,
    '60.00',
    ['09:00', '15:00'],
  ],
  [
    'foshan',
    'shenzhen',
    'coach',
    'Foshan Coach Terminal',
    'K',
    'Foshan Coach Terminal',
    'Futian Coach Station',
    150,
    '80.00',
    ['08:20'],
  ],
  [
    'shenzhen',
    'foshan',
    'coach',
    'Futian Coach Station',
    'K',
    'Futian Coach Station',
    'Foshan Coach Terminal',
    150,
    '80.00',
    ['14:40'],
  ],
  [
    'guangzhou',
    'foshan',
    'coach',
    'Guangzhou Fangcun Coach Station',
    'K',
    'Fangcun Coach Station',
    'Foshan Coach Terminal',
    60,
    '20.00',
    ['10:00', '17:00'],
  ],
  [
    'foshan',
    'guangzhou',
    'coach',
    'Foshan Coach Terminal',
    'K',
    'Foshan Coach Terminal',
    'Fangcun Coach Station',
    60,
    '20.00',
    ['08:45', '16:15'],
  ],
] as const satisfies readonly (readonly [CityId, CityId, ...unknown[]])[];

/** Each operator's Chinese name, by its English one (the names ROUTES give). */
const OPERATOR_ZH: Record<(typeof ROUTES)[number][3], string> = {
  'China Railway Guangzhou Group': '中国铁路广州局集团',
  'Guangdong Intercity Railway': '广东城际铁路',
  'Shenzhen Luohu Coach Station': '深圳罗湖汽车客运站',
  'Guangdong Provincial Bus Station': '广东省汽车客运站',
  'Foshan Coach Terminal': '佛山汽车站',
  'Futian Coach Station': '深圳福田汽车客运站',
  'Guangzhou Fangcun Coach Station': '广州芳村客运站',
};

/** Each station's Chinese name, by its English one (core/domain/transport-stations.ts). */
const STATION_ZH: Record<string, string> = Object.fromEntries(
  Object.values(TRANSPORT_STATIONS).flatMap((list) => list.map((s) => [s.en, s.zh])),
);

export const transportSeeder: Seeder = {
  name: 'city-services: coach and rail departures with seat maps',
  async run(db) {
    return db.transaction(async (tx) => {
      let inserted = 0;
      for (const [
        r,
        [from, to, mode, operator, prefix, fromSt, toSt, minutes, price, times],
      ] of ROUTES.entries()) {
        for (const [k, time] of times.entries()) {
          const serviceNo = `${prefix}${(mode === 'rail' ? 6000 : 100) + r * 10 + k}`;
          const ins = await tx.query<{ id: string; mode: string }>(
            `INSERT INTO departures (id, mode, operator, service_no, from_city, to_city, from_station, to_station,
                                     depart_at, arrive_at, price, from_station_names, to_station_names,
                                     operator_names)
             SELECT $1 || '-' || to_char(day, 'YYYYMMDD'), $2, $3, $1, $4, $5, $6, $7,
                    (day + $8::time) AT TIME ZONE 'Asia/Shanghai',
                    (day + $8::time + make_interval(mins => $9)) AT TIME ZONE 'Asia/Shanghai', $10, $11, $12,
                    $13
             FROM generate_series(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai'),
                                  date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '7 days',
                                  interval '1 day') AS day
             ON CONFLICT DO NOTHING RETURNING id, mode`,
            [
              serviceNo,
              mode,
              operator,
              from,
              to,
              fromSt,
              toSt,
              time,
              minutes,
              price,
              chineseText(STATION_ZH[fromSt]),
              chineseText(STATION_ZH[toSt]),
              chineseText(OPERATOR_ZH[operator]),
            ],
          );
          inserted += ins.rowCount;
          for (const d of ins.rows) {
            if (d.mode === 'rail') {
              await tx.query(
                `INSERT INTO seats (departure_id, seat_no, class)
                 SELECT $1, lpad(r::text, 2, '0') || c, CASE WHEN r <= 5 THEN 'first' ELSE 'second' END
                 FROM generate_series(1, 15) AS r, unnest(ARRAY['A','B','C','D','F']) AS c
                 WHERE r > 5 OR c <> 'B'`,
                [d.id],
              );
            } else {
              await tx.query(
                `INSERT INTO seats (departure_id, seat_no, class) SELECT $1, lpad(n::text, 2, '0'), 'standard' FROM generate_series(1, 45) AS n`,
                [d.id],
              );
            }
          }
        }
      }
      // Departures seeded before these names existed get them, once: a statement per column.
      inserted += await fillNames(tx, 'from_station', 'from_station_names', STATION_ZH);
      inserted += await fillNames(tx, 'to_station', 'to_station_names', STATION_ZH);
      inserted += await fillNames(tx, 'operator', 'operator_names', OPERATOR_ZH);
      return inserted > 0;
    });
  },
};

/** Sets `names` to {"zh-CN": …} where it is still empty, by the English name in `column`; the rows set. */
async function fillNames(
  tx: Queryable,
  column: 'from_station' | 'to_station' | 'operator',
  names: 'from_station_names' | 'to_station_names' | 'operator_names',
  zhByName: Record<string, string>,
): Promise<number> {
  const known = Object.entries(zhByName).map(([name, zh]) => ({ name, names: { 'zh-CN': zh } }));
  const { rowCount } = await tx.query(
    `UPDATE departures d SET ${names} = n.names
     FROM jsonb_to_recordset($1::jsonb) AS n(name text, names jsonb)
     WHERE d.${column} = n.name AND d.${names} = '{}'::jsonb`,
    [JSON.stringify(known)],
  );
  return rowCount;
}
