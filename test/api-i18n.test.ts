/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any -- response bodies are untyped JSON, checked by expect() */
// Problem details in the caller's language (issue 15 item 2): with Accept-Language: zh-CN the
// title, detail and each field message are Chinese, with the same stable `code` as in English;
// English stays what it was (and is the answer when the header is absent). Length limits count
// characters, so 2000 Chinese characters (6000 bytes) fit a 2000-character description. And the
// district of an incident is computed by the hub from its pin (item 4), in the API and Open311.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startApi, type ApiHarness } from './support/api.ts';

const backend = (await backends()).find((b) => b.name === 'postgres') ?? (await backends())[0]!;
const ZH = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' };
const EN = { 'accept-language': 'en-GB,en;q=0.9' };
const CJK = /[\u4e00-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{3,}/;

describe(`problem details by Accept-Language on ${backend.name}`, () => {
  let api: ApiHarness;
  let staff: string;

  beforeAll(async () => {
    api = await startApi(backend);
    staff = await api.token('officer', 'staff');
  });
  afterAll(() => api?.stop());

  const report = {
    category: 'pothole',
    lat: 22.5583, // Peking University Shenzhen Hospital, Futian
    lon: 114.0469,
    description: 'A deep hole in the right lane',
    reporter: { email: 'a@example.com' },
  };

  it('answers a validation error in Chinese with the same codes as in English', async () => {
    const bad = { ...report, description: 'ab', reporter: { email: 'not-an-email' } };
    const [zh, en, none] = await Promise.all([
      api.call('POST', '/v1/incidents', { body: bad, headers: ZH }),
      api.call('POST', '/v1/incidents', { body: bad, headers: EN }),
      api.call('POST', '/v1/incidents', { body: bad }),
    ]);
    for (const r of [zh, en, none]) expect(r.status).toBe(400);
    expect(zh.body.code).toBe('validation_failed');
    expect(en.body.code).toBe(zh.body.code);
    expect(zh.headers.get('content-language')).toBe('zh-CN');
    expect(en.headers.get('content-language')).toBe('en');
    expect(zh.body.title).toBe('请求有误');
    expect(zh.body.detail).toMatch(CJK);
    // English unchanged, and the default without the header.
    expect(en.body.title).toBe('Bad Request');
    expect(en.body.detail).toContain('describe what happened (at least 4 characters)');
    expect(none.body).toMatchObject({ title: en.body.title, detail: en.body.detail });
    const byField = (body: any) => Object.fromEntries(body.errors.map((e: any) => [e.field, e]));
    const zhFields = byField(zh.body);
    const enFields = byField(en.body);
    expect(Object.keys(zhFields).sort()).toEqual(['description', 'reporter.email']);
    for (const f of Object.keys(zhFields)) {
      expect(zhFields[f].code).toBe(enFields[f].code);
      expect(zhFields[f].message).toMatch(CJK);
      expect(zhFields[f].message).not.toMatch(LATIN_WORD);
    }
    expect(zhFields.description).toMatchObject({ code: 'too_short', message: '至少 4 个字' });
    expect(zhFields['reporter.email'].message).toBe('请填写有效的电子邮件地址');
    // A variable the Chinese text needs is never sent.
    expect(zhFields.description.vars).toBeUndefined();
  });

  it('says in Chinese how far a station placed outside its city is', async () => {
    // Guangzhou's coordinates for a Shenzhen station.
    const station = { id: 'SZ-I18N-01', name: '市民中心', city: 'shenzhen', lat: 23.13, lon: 113.26 };
    const [zh, en] = await Promise.all([
      api.call('POST', '/v1/air/stations', { token: staff, body: station, headers: ZH }),
      api.call('POST', '/v1/air/stations', { token: staff, body: station, headers: EN }),
    ]);
    expect([zh.status, en.status]).toEqual([400, 400]);
    const lat = (body: any) => body.errors.find((e: any) => e.field === 'lat');
    expect(lat(en.body)).toMatchObject({
      code: 'outside_city',
      message: expect.stringContaining('km from the centre of shenzhen'),
    });
    expect(lat(zh.body)).toMatchObject({
      code: 'outside_city',
      message: '距深圳市中心 105 公里；深圳的地点应在 90 公里以内',
    });
  });

  it('counts characters, not bytes, in Chinese text', async () => {
    const fits = '路面塌陷'.repeat(500); // 2000 characters, 6000 bytes in UTF-8
    const ok = await api.call('POST', '/v1/incidents', {
      body: { ...report, description: fits },
      headers: ZH,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.description).toBe(fits);
    const over = await api.call('POST', '/v1/incidents', {
      body: { ...report, description: `${fits}坑` },
      headers: ZH,
    });
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([
      { in: 'body', field: 'description', code: 'too_big', message: '最多 2000 个字' },
    ]);
  });

  it('translates domain errors and keeps their codes; never shows an internal id in Chinese', async () => {
    const outside = { ...report, lat: 39.9, lon: 116.4 }; // Beijing
    const [zh, en] = await Promise.all([
      api.call('POST', '/v1/incidents', { body: outside, headers: ZH }),
      api.call('POST', '/v1/incidents', { body: outside, headers: EN }),
    ]);
    expect(zh.status).toBe(422);
    expect(en.body).toMatchObject({
      code: 'outside_service_area',
      detail: 'the pin is outside the service area (Shenzhen, Guangzhou, Foshan)',
    });
    expect(zh.body).toMatchObject({
      code: 'outside_service_area',
      title: '无法处理',
      detail: '所选位置不在服务范围内（深圳、广州、佛山）。',
    });
    expect(zh.body.errors.map((e: any) => [e.field, e.code, e.message])).toEqual([
      ['lat', 'outside_service_area', '不在服务范围内'],
      ['lon', 'outside_service_area', '不在服务范围内'],
    ]);

    const id = 'inc_doesnotexist0000';
    const [missingZh, missingEn] = await Promise.all([
      api.call('GET', `/v1/incidents/${id}`, { headers: ZH }),
      api.call('GET', `/v1/incidents/${id}`, { headers: EN }),
    ]);
    expect(missingEn.body).toMatchObject({
      status: 404,
      code: 'not_found',
      detail: `incident ${id} not found`,
    });
    expect(missingZh.body).toMatchObject({ status: 404, code: 'not_found', title: '未找到' });
    expect(missingZh.body.detail).not.toContain(id);

    const [authZh, authEn] = await Promise.all([
      api.call('PATCH', `/v1/incidents/${id}`, { body: { status: 'acknowledged' }, headers: ZH }),
      api.call('PATCH', `/v1/incidents/${id}`, { body: { status: 'acknowledged' }, headers: EN }),
    ]);
    expect(authEn.body).toMatchObject({ status: 401, code: 'sign_in_required' });
    expect(authZh.body).toMatchObject({ status: 401, code: 'sign_in_required', detail: '请先登录后再试。' });
  });

  it('follows the q-values of Accept-Language', async () => {
    const ask = (lang: string) =>
      api
        .call('GET', '/v1/incidents/nope', { headers: { 'accept-language': lang } })
        .then((r) => r.body.title);
    expect(await ask('en;q=0.5, zh-TW;q=0.8')).toBe('未找到');
    expect(await ask('zh;q=0.2, en-US')).toBe('Not Found');
    expect(await ask('fr-FR, de')).toBe('Not Found');
    expect(await ask('*')).toBe('Not Found');
  });

  it('stores the district of the pin, computed by the hub, and shows it in the list and Open311', async () => {
    const created = await api.call('POST', '/v1/incidents', { body: report });
    expect(created.status).toBe(201);
    expect(created.body.district).toEqual({ zh: '福田区', en: 'Futian' });
    // A client cannot name its own district: an extra field is ignored, the pin decides.
    const lying = await api.call('POST', '/v1/incidents', {
      body: { ...report, lat: 23.1291, lon: 113.2644, district: '福田区' },
    });
    expect(lying.body.district).toEqual({ zh: '越秀区', en: 'Yuexiu' });
    const list = await api.call('GET', '/v1/incidents?city=shenzhen', { token: staff });
    expect(list.body.items.find((i: any) => i.id === created.body.id).district).toEqual({
      zh: '福田区',
      en: 'Futian',
    });
    const open311 = await api.call('GET', `/open311/v2/requests/${created.body.id}.json`);
    expect(open311.status).toBe(200);
    expect(open311.body[0].district).toBe('福田区');
  });
});
