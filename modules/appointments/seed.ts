// Demo hospitals of Shenzhen, Guangzhou and Foshan (real institutions, public addresses), with
// departments, doctors and 30-minute slots (08:00-11:30, 14:00-17:00 China Standard Time) for the
// next seven days, named in English and Chinese (`names`, `titles`, a hospital's `addresses` and
// `grades`: the zh-CN page shows those). Re-running adds the days that are missing, and the
// Chinese texts to a database seeded before they existed, and nothing else.
import { chineseText, type Seeder } from '../../core/db/seed.ts';
import type { CityId } from '../../core/domain/cities.ts';

const HOSPITALS = [
  [
    'sz-people',
    'shenzhen',
    'Shenzhen People’s Hospital',
    '深圳市人民医院',
    'Grade III-A',
    '1017 Dongmen North Road, Luohu',
    '深圳市罗湖区东门北路1017号',
    22.5562,
    114.1255,
  ],
  [
    'sz-pkuh',
    'shenzhen',
    'Peking University Shenzhen Hospital',
    '北京大学深圳医院',
    'Grade III-A',
    '1120 Lianhua Road, Futian',
    '深圳市福田区莲花路1120号',
    22.5583,
    114.0469,
  ],
  [
    'sz-hku',
    'shenzhen',
    'The University of Hong Kong–Shenzhen Hospital',
    '香港大学深圳医院',
    'Grade III-A',
    '1 Haiyuan 1st Road, Futian',
    '深圳市福田区海园一路1号',
    22.5268,
    113.9972,
  ],
  [
    'gz-sysu1',
    'guangzhou',
    'First Affiliated Hospital, Sun Yat-sen University',
    '中山大学附属第一医院',
    'Grade III-A',
    '58 Zhongshan 2nd Road, Yuexiu',
    '广州市越秀区中山二路58号',
    23.1284,
    113.2893,
  ],
  [
    'gz-gdph',
    'guangzhou',
    'Guangdong Provincial People’s Hospital',
    '广东省人民医院',
    'Grade III-A',
    '106 Zhongshan 2nd Road, Yuexiu',
    '广州市越秀区中山二路106号',
    23.1268,
    113.2856,
  ],
  [
    'gz-nanfang',
    'guangzhou',
    'Nanfang Hospital, Southern Medical University',
    '南方医院',
    'Grade III-A',
    '1838 Guangzhou Avenue North, Baiyun',
    '广州市白云区广州大道北1838号',
    23.1896,
    113.3297,
  ],
  [
    'fs-first',
    'foshan',
    'First People’s Hospital of Foshan',
    '佛山市第一人民医院',
    'Grade III-A',
    '81 Lingnan Avenue North, Chancheng',
    '佛山市禅城区岭南大道北81号',
    23.0312,
    113.1106,
  ],
  [
    'fs-tcm',
    'foshan',
    'Foshan Hospital of Traditional Chinese Medicine',
    '佛山市中医院',
    'Grade III-A',
    '6 Qinren Road, Chancheng',
    '佛山市禅城区亲仁路6号',
    23.0301,
    113.1188,
  ],
] as const satisfies readonly (readonly [string, CityId, ...unknown[]])[];

/** Hospital grades (NHC classification) in Chinese. */
const GRADES_ZH: Record<string, string> = { 'Grade III-A': '三级甲等' };

const DEPARTMENTS = [
  ['int', 'Internal Medicine', '内科'],
  ['card', 'Cardiology', '心血管内科'],
  ['paed', 'Paediatrics', '儿科'],
  ['orth', 'Orthopaedics', '骨科'],
  ['derm', 'Dermatology', '皮肤科'],
] as const;

/** Surnames and given names in pinyin and in characters. */
const SURNAMES = [
  ['Chen', '陈'],
  ['Li', '李'],
  ['Zhang', '张'],
  ['Wang', '王'],
  ['Liu', '刘'],
  ['Huang', '黄'],
  ['Lin', '林'],
  ['Zhou', '周'],
  ['Wu', '吴'],
  ['Xu', '徐'],
  ['Guo', '郭'],
  ['He', '何'],
  ['Luo', '罗'],
  ['Liang', '梁'],
  ['Zheng', '郑'],
] as const;
const GIVEN = [
  ['Wei', '伟'],
  ['Fang', '芳'],
  ['Min', '敏'],
  ['Jing', '静'],
  ['Hui', '慧'],
  ['Lei', '磊'],
  ['Yan', '燕'],
  ['Qiang', '强'],
  ['Ling', '玲'],
  ['Jun', '军'],
  ['Xia', '霞'],
  ['Tao', '涛'],
  ['Ping', '平'],
  ['Hong', '红'],
] as const;
const TITLES = [
  ['Chief Physician', '主任医师', '50.00'],
  ['Associate Chief Physician', '副主任医师', '30.00'],
  ['Attending Physician', '主治医师', '15.00'],
] as const;

export const hospitalsSeeder: Seeder = {
  name: 'city-services: hospitals, departments, doctors, slots',
  async run(db) {
    return db.transaction(async (tx) => {
      let inserted = 0;
      let n = 0;
      for (const [id, city, name, zhName, grade, address, zhAddress, lat, lon] of HOSPITALS) {
        // Each Chinese text is filled in where it is still missing (a database seeded before it);
        // a text the demo has none for (a grade without a Chinese name) changes nothing.
        inserted += (
          await tx.query(
            `INSERT INTO hospitals (id, city, name, names, grade, grades, address, addresses, lat, lon)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
             ON CONFLICT (id) DO UPDATE SET
               name = CASE WHEN hospitals.names = '{}'::jsonb THEN EXCLUDED.name ELSE hospitals.name END,
               names = CASE WHEN hospitals.names = '{}'::jsonb THEN EXCLUDED.names ELSE hospitals.names END,
               grades = CASE WHEN hospitals.grades = '{}'::jsonb THEN EXCLUDED.grades ELSE hospitals.grades END,
               addresses = CASE WHEN hospitals.addresses = '{}'::jsonb THEN EXCLUDED.addresses ELSE hospitals.addresses END
             WHERE (hospitals.names = '{}'::jsonb AND EXCLUDED.names <> '{}'::jsonb)
                OR (hospitals.grades = '{}'::jsonb AND EXCLUDED.grades <> '{}'::jsonb)
                OR (hospitals.addresses = '{}'::jsonb AND EXCLUDED.addresses <> '{}'::jsonb)`,
            [
              id,
              city,
              name,
              chineseText(zhName),
              grade,
              chineseText(GRADES_ZH[grade]),
              address,
              chineseText(zhAddress),
              lat,
              lon,
            ],
          )
        ).rowCount;
        for (const [dep, depName, depZh] of DEPARTMENTS) {
          const depId = `${id}-${dep}`;
          inserted += (
            await tx.query(
              `INSERT INTO departments (id, hospital_id, name, names) VALUES ($1,$2,$3,$4)
               ON CONFLICT (id) DO UPDATE SET names = EXCLUDED.names WHERE departments.names = '{}'::jsonb`,
              [depId, id, depName, chineseText(depZh)],
            )
          ).rowCount;
          for (let d = 0; d < 2; d++, n++) {
            const [title, titleZh, fee] = TITLES[(n + d) % TITLES.length]!;
            const docId = `${depId}-dr${d + 1}`;
            const [surname, surnameZh] = SURNAMES[n % SURNAMES.length]!;
            const [given, givenZh] = GIVEN[(n * 7) % GIVEN.length]!;
            inserted += (
              await tx.query(
                `INSERT INTO doctors (id, department_id, name, names, title, titles, specialty) VALUES ($1,$2,$3,$4,$5,$6,$7)
                 ON CONFLICT (id) DO UPDATE SET names = EXCLUDED.names, titles = EXCLUDED.titles
                 WHERE doctors.names = '{}'::jsonb`,
                [
                  docId,
                  depId,
                  `Dr ${surname} ${given}`,
                  chineseText(surnameZh + givenZh),
                  title,
                  chineseText(titleZh),
                  depName,
                ],
              )
            ).rowCount;
            // Slot ids are stable (doctor + local start time), so a re-run only adds new days.
            inserted += (
              await tx.query(
                `INSERT INTO slots (id, doctor_id, start_at, end_at, capacity, booked, fee)
                 SELECT $1 || '-' || to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDDHH24MI'), $1, t, t + interval '30 minutes', $2, 0, $3
                 FROM generate_series(date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '1 day',
                                      date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') + interval '7 days 23 hours',
                                      interval '30 minutes') AS local(l),
                      LATERAL (SELECT l AT TIME ZONE 'Asia/Shanghai' AS t) AS x
                 WHERE (l::time >= '08:00' AND l::time < '11:30') OR (l::time >= '14:00' AND l::time < '17:00')
                 ON CONFLICT DO NOTHING`,
                [docId, title === 'Chief Physician' ? 3 : 5, fee],
              )
            ).rowCount;
          }
        }
      }
      return inserted > 0;
    });
  },
};
