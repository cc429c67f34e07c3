// Demo electricity accounts with six months of bills, and traffic fines on Guangdong plates
// (粤B Shenzhen, 粤A Guangzhou, 粤E Foshan), their offence and place in English and Chinese.
// Documented in docs/api.md so a demo can look them up.
import { chineseText, type Seeder } from '../../core/db/seed.ts';
import type { CityId } from '../../core/domain/cities.ts';

// Holder and address masked as the grid company's records hold them (in Chinese).
export const DEMO_ACCOUNTS = [
  ['0755100200301', 'shenzhen', '陈*伟', '深圳市福田区****', 310],
  ['0755100200302', 'shenzhen', '李*娜', '深圳市南山区****', 240],
  ['0201300400501', 'guangzhou', '黄*明', '广州市天河区****', 280],
  ['0201300400502', 'guangzhou', '周*静', '广州市海珠区****', 195],
  ['0757500600701', 'foshan', '梁*慧', '佛山市禅城区****', 260],
] as const satisfies readonly (readonly [string, CityId, ...unknown[]])[];

export const DEMO_FINES = [
  [
    'fine-sz-0001',
    'shenzhen',
    '粤B12345',
    'LFV2A21K8A3045128',
    'Running a red light',
    '闯红灯',
    'Shennan Blvd / Caitian Rd, Futian',
    '福田区深南大道与彩田路交叉口',
    '2026-10-12T08:42:00+08:00',
    '200.00',
    6,
  ],
  [
    'fine-sz-0002',
    'shenzhen',
    '粤B12345',
    'LFV2A21K8A3045128',
    'Parking in a no-parking zone',
    '违反禁停标志停车',
    'Huaqiang North Rd, Futian',
    '福田区华强北路',
    '2026-11-03T14:10:00+08:00',
    '150.00',
    0,
  ],
  [
    'fine-sz-0003',
    'shenzhen',
    '粤BD8866',
    'LGXCE4CB5N0123456',
    'Speeding 20-50% over the limit',
    '超过规定时速20%以上未达50%',
    'Binhe Blvd, Futian',
    '福田区滨河大道',
    '2026-11-18T22:05:00+08:00',
    '200.00',
    6,
  ],
  [
    'fine-gz-0001',
    'guangzhou',
    '粤A6M789',
    'LSGPC54U6KF098765',
    'Not yielding to pedestrians',
    '不礼让行人',
    'Tianhe Rd / Tiyu East Rd, Tianhe',
    '天河区天河路与体育东路交叉口',
    '2026-10-28T09:15:00+08:00',
    '200.00',
    3,
  ],
  [
    'fine-gz-0002',
    'guangzhou',
    '粤A6M789',
    'LSGPC54U6KF098765',
    'Using a phone while driving',
    '驾车时接打手机',
    'Huangpu Ave West, Tianhe',
    '天河区黄埔大道西',
    '2026-11-20T18:30:00+08:00',
    '50.00',
    3,
  ],
  [
    'fine-fs-0001',
    'foshan',
    '粤E2K321',
    'LVSHCAMB1JE554433',
    'Driving in a bus lane',
    '占用公交专用道',
    'Jihua 5th Rd, Chancheng',
    '禅城区季华五路',
    '2026-11-08T07:55:00+08:00',
    '100.00',
    0,
  ],
] as const satisfies readonly (readonly [string, CityId, ...unknown[]])[];

export const billingSeeder: Seeder = {
  name: 'city-services: electricity accounts, bills, traffic fines',
  async run(db) {
    return db.transaction(async (tx) => {
      let inserted = 0;
      for (const [accountNo, city, holder, address, baseKwh] of DEMO_ACCOUNTS) {
        inserted += (
          await tx.query(
            // A demo account seeded with the earlier English masks gets these once.
            `INSERT INTO electricity_accounts (account_no, city, holder_masked, address_masked) VALUES ($1,$2,$3,$4)
             ON CONFLICT (account_no) DO UPDATE SET holder_masked = EXCLUDED.holder_masked, address_masked = EXCLUDED.address_masked
             WHERE electricity_accounts.holder_masked ~ '^[A-Za-z]'`,
            [accountNo, city, holder, address],
          )
        ).rowCount;
        // Six monthly bills up to last month; Guangdong tiered tariff simplified to its first tier
        // (0.68 CNY/kWh); the latest is unpaid.
        inserted += (
          await tx.query(
            `INSERT INTO electricity_bills (id, account_no, period, kwh, amount, due_date, status, paid_at)
             SELECT $1 || '-' || to_char(m, 'YYYYMM'), $1, to_char(m, 'YYYY-MM'), k, round(k * 0.68, 2),
                    (m + interval '1 month 14 days')::date,
                    CASE WHEN i = 1 THEN 'unpaid' ELSE 'paid' END,
                    CASE WHEN i = 1 THEN NULL ELSE m + interval '1 month 5 days' END
             FROM generate_series(1, 6) AS i,
                  LATERAL (SELECT date_trunc('month', now()) - make_interval(months => i) AS m,
                                  ($2::int + ((i * 37) % 90))::numeric AS k) AS x
             ON CONFLICT DO NOTHING`,
            [accountNo, baseKwh],
          )
        ).rowCount;
      }
      for (const [
        id,
        city,
        plate,
        engineNo,
        offence,
        offenceZh,
        location,
        locationZh,
        at,
        amount,
        points,
      ] of DEMO_FINES) {
        // The Chinese texts are filled in once for a database seeded before they existed.
        inserted += (
          await tx.query(
            `INSERT INTO traffic_fines (id, city, plate, engine_no, offence, offences, location, locations, occurred_at, amount, points)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
             ON CONFLICT (id) DO UPDATE SET offences = EXCLUDED.offences, locations = EXCLUDED.locations
             WHERE traffic_fines.offences = '{}'::jsonb`,
            [
              id,
              city,
              plate,
              engineNo,
              offence,
              chineseText(offenceZh),
              location,
              chineseText(locationZh),
              at,
              amount,
              points,
            ],
          )
        ).rowCount;
      }
      return inserted > 0;
    });
  },
};
