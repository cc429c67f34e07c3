// Air quality: one card per station with its live China AQI (HJ 633 colours) and latest
// pollutant values, and a 24 h history chart (uPlot) of the selected station that grows live.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ApiError, api, items, list } from './api.ts';
import { NO_DATA, bandFor, bandName, HJ633_BANDS } from './aqi.ts';
import { CITY_TIME_ZONE, CLOCK_WITH_SECONDS, formatDateTime, language, localName, t } from './i18n/index.ts';
import type { CityId } from './cities.ts';
import { chartKeyboard } from './chart-keys.ts';
import { fill, h, timeOf } from './dom.ts';
import type { z } from 'zod';
import type { AirAqi, AirReading } from '../../core/events/air.ts';
import type { airHistoryPoint, airLatest, airStation } from '../../modules/air/index.ts';

// API shapes come from the server's schemas; type-only imports, so no server code is bundled.
export type Station = z.output<typeof airStation>;
export type Aqi = AirAqi;
/** A point of a station's chart: a live reading, the latest stored one, or a history point. */
export type Reading = Pick<AirReading, 'stationId' | 'time'> & z.output<typeof airHistoryPoint>;
type Latest = z.output<typeof airLatest>;

const SERIES = [
  { key: 'pm25', label: 'PM2.5', color: '#d9480f' },
  { key: 'pm10', label: 'PM10', color: '#7048e8' },
  { key: 'o3', label: 'O₃', color: '#1c7ed6' },
  { key: 'no2', label: 'NO₂', color: '#2b8a3e' },
] as const;

const POLLUTANT_LABEL: Record<string, string> = {
  pm25: 'PM2.5',
  pm10: 'PM10',
  o3: 'O₃',
  no2: 'NO₂',
  so2: 'SO₂',
  co: 'CO',
};

const DAY_MS = 24 * 3600 * 1000;

export class AirPanel {
  readonly el: HTMLElement;
  private readonly listEl = h('div', { class: 'stations', 'data-testid': 'stations' });
  // Its accessible name carries the station's name, and its content is data: not to be translated.
  private readonly chartEl = h('div', { class: 'chart', translate: 'no' });
  private readonly chartTitle = h('h3', { class: 'chart-title' });
  private readonly note = h('p', { class: 'note' });
  private stations = new Map<string, Station>();
  private latest = new Map<string, Reading>();
  private aqi = new Map<string, Aqi>();
  private cards = new Map<string, HTMLElement>();
  private selected: string | null = null;
  private history: Reading[] = [];
  /** The station whose points `history` holds (null while a chosen station's history loads). */
  private historyOf: string | null = null;
  private plot: uPlot | null = null;
  private loadSeq = 0;
  /** Called when stations or their AQI change (the map colours its pins from this). */
  onChange: () => void = () => undefined;

  constructor() {
    this.el = h(
      'section',
      { class: 'panel air', id: 'air' },
      h(
        'h2',
        {},
        h('span', { class: 'panel-title' }, t('air:title')),
        h('span', { class: 'legend' }, legend()),
      ),
      this.note,
      this.listEl,
      h('div', { class: 'history' }, this.chartTitle, this.chartEl),
    );
    new ResizeObserver(() => this.resizeChart()).observe(this.chartEl);
  }

  /** A station of the city shown, by id. */
  station(id: string): Station | undefined {
    return this.stations.get(id);
  }

  stationList(): { station: Station; aqi: Aqi | undefined }[] {
    return [...this.stations.values()].map((station) => ({ station, aqi: this.aqi.get(station.id) }));
  }

  async load(city: CityId): Promise<void> {
    const seq = ++this.loadSeq;
    this.stations.clear();
    this.latest.clear();
    this.aqi.clear();
    this.cards.clear();
    this.selected = null;
    this.note.textContent = t('air:loading');
    fill(this.listEl);
    try {
      const [stations, aqi] = await Promise.all([
        list<Station>(`/v1/air/stations?city=${city}`),
        api<unknown>(`/v1/air/aqi?city=${city}`).then(items<Aqi>, () => [] as Aqi[]),
      ]);
      if (seq !== this.loadSeq) return;
      for (const s of stations) this.stations.set(s.id, s);
      for (const a of aqi) if (a?.stationId) this.aqi.set(a.stationId, a);
      this.note.textContent = stations.length ? '' : t('air:none');
      for (const s of stations) this.listEl.append(this.card(s));
      this.onChange();
      await Promise.all(
        stations.map(async (s) => {
          // `{reading, aqi}` (404 until the station has a reading).
          const latest = await api<Latest>(`/v1/air/stations/${encodeURIComponent(s.id)}/latest`).catch(
            () => null,
          );
          if (seq !== this.loadSeq || !latest) return;
          if (latest.reading && !this.newer(s.id, latest.reading.time)) this.setReading(latest.reading);
          if (latest.aqi) this.onAqi(latest.aqi);
        }),
      );
      const first = stations[0];
      if (first && seq === this.loadSeq && !this.selected) await this.select(first.id);
    } catch (err) {
      if (seq === this.loadSeq) this.note.textContent = t('air:unavailable', { reason: describe(err) });
    }
  }

  /** A live `city.air.reading.v1`. */
  onReading(r: Reading): void {
    if (!this.stations.has(r.stationId)) return;
    if (!this.newer(r.stationId, r.time)) this.setReading(r);
    // An older reading (late over a flaky link) is still a point of the history.
    else this.chartPoint(r);
  }

  /** A live `city.air.aqi.v1`. */
  onAqi(a: Aqi): void {
    if (!this.stations.has(a.stationId)) return;
    const prev = this.aqi.get(a.stationId);
    if (prev && Date.parse(prev.time) > Date.parse(a.time)) return;
    this.aqi.set(a.stationId, a);
    this.renderCard(a.stationId);
    this.onChange();
  }

  async select(stationId: string): Promise<void> {
    const station = this.stations.get(stationId);
    if (!station) return;
    this.selected = stationId;
    this.historyOf = null;
    delete this.chartEl.dataset.historyOf;
    for (const [id, card] of this.cards) card.classList.toggle('selected', id === stationId);
    fill(this.chartTitle, h('span', { translate: 'no' }, localName(station)), ' · ', t('air:last24h'));
    const to = new Date();
    const from = new Date(to.getTime() - DAY_MS);
    try {
      const body = await api<unknown>(
        `/v1/air/stations/${encodeURIComponent(stationId)}/history?from=${from.toISOString()}&to=${to.toISOString()}&every=10m`,
      );
      if (this.selected !== stationId) return;
      this.history = historyPoints(body, stationId);
    } catch (err) {
      if (this.selected !== stationId) return;
      this.history = [];
      fill(
        this.chartTitle,
        h('span', { translate: 'no' }, localName(station)),
        ' · ',
        t('air:historyUnavailable', { reason: describe(err) }),
      );
    }
    this.historyOf = stationId;
    this.history.sort(byTime);
    const live = this.latest.get(stationId);
    if (live) this.addPoint(live);
    this.drawChart();
  }

  private newer(stationId: string, time: string): boolean {
    const cur = this.latest.get(stationId);
    return !!cur && Date.parse(cur.time) > Date.parse(time);
  }

  private setReading(r: Reading): void {
    this.latest.set(r.stationId, r);
    this.renderCard(r.stationId);
    // The latest reading may come after the station was chosen and its history drawn (a city's
    // stations are chosen while their latest readings still load): it belongs on the chart too.
    this.chartPoint(r);
  }

  /** Adds a reading of the selected station to its chart, once per time. */
  private chartPoint(r: Reading): void {
    // While the history loads, select() adds the latest reading itself when it arrives.
    if (r.stationId !== this.selected || r.stationId !== this.historyOf) return;
    if (this.addPoint(r)) this.drawChart();
  }

  /** Puts a reading among the chart's points in time order; false when its time is there. */
  private addPoint(r: Reading): boolean {
    const t = Date.parse(r.time);
    if (this.history.some((p) => Date.parse(p.time) === t)) return false;
    this.history.push(r);
    this.history.sort(byTime);
    return true;
  }

  private card(s: Station): HTMLElement {
    const el = h('button', {
      type: 'button',
      class: 'station',
      'data-station': s.id,
      onclick: () => void this.select(s.id),
    });
    this.cards.set(s.id, el);
    this.renderCard(s.id);
    return el;
  }

  private renderCard(id: string): void {
    const el = this.cards.get(id);
    const s = this.stations.get(id);
    if (!el || !s) return;
    const a = this.aqi.get(id);
    const r = this.latest.get(id);
    const band = a ? bandFor(a.cn.aqi) : null;
    const badge = h(
      'span',
      {
        class: 'aqi-badge',
        'data-field': 'aqi',
        style: `background:${band?.color ?? NO_DATA.color};color:${band?.ink ?? NO_DATA.ink}`,
        title: band ? bandName(band) : t('air:noAqi'),
      },
      a ? String(a.cn.aqi) : '–',
    );
    fill(
      el,
      badge,
      h(
        'span',
        { class: 'station-body' },
        h('span', { class: 'station-name', translate: 'no' }, localName(s)),
        h(
          'span',
          { class: 'station-meta' },
          a
            ? `${bandName(band!)}${a.cn.primaryPollutants.length ? ` · ${a.cn.primaryPollutants.map((p) => POLLUTANT_LABEL[p] ?? p).join(', ')}` : ''}`
            : t('air:aqiPending'),
        ),
        h(
          'span',
          { class: 'station-values' },
          h('span', { 'data-field': 'pm25' }, `PM2.5 ${fmt(r?.pm25)}`),
          h('span', { 'data-field': 'pm10' }, `PM10 ${fmt(r?.pm10)}`),
          h('span', { class: 'station-time', 'data-field': 'time' }, r ? timeOf(r.time) : ''),
        ),
      ),
    );
  }

  private drawChart(): void {
    const xs = this.history.map((p) => Date.parse(p.time) / 1000);
    // Which station's points the chart shows, and how many (for tools and tests; not shown).
    if (this.historyOf) this.chartEl.dataset.historyOf = this.historyOf;
    this.chartEl.dataset.points = String(xs.length);
    const data: uPlot.AlignedData = [xs, ...SERIES.map((s) => this.history.map((p) => p[s.key] ?? null))];
    if (!this.plot) {
      this.plot = new uPlot(
        {
          width: Math.max(this.chartEl.clientWidth, 280),
          height: 200,
          scales: {
            x: {
              time: true,
              // Up to now (or the newest point), back to the first point but at least an hour
              // and at most 24 h: a single point must not stretch the axis over years.
              range: (_u, min, max) => {
                const now = Date.now() / 1000;
                const to = Number.isFinite(max) ? Math.max(max, now) : now;
                const from = Number.isFinite(min) ? Math.min(min, to - 3600) : to - 3600;
                return [Math.max(from, to - DAY_MS / 1000), to];
              },
            },
          },
          // Times on the axis in the cities' zone and the page's locale, whatever the device's.
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), CITY_TIME_ZONE),
          axes: [{ values: (_u, splits) => splits.map(axisTime) }, { label: 'µg/m³', size: 50 }],
          series: [
            // uPlot's own legend time is English ("10:06am") in every language: the page's instead.
            {
              label: t('air:time'),
              value: (_u: uPlot, v: number | null) => (v === null ? '–' : legendTime(v)),
            },
            ...SERIES.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true })),
          ],
          // Values at the cursor show in the legend on hover, and in the readout by keyboard.
          legend: { live: true },
        },
        data,
        this.chartEl,
      );
      this.chartEl.after(
        chartKeyboard(this.plot, this.chartEl, this.chartTitle.textContent ?? '', (i) =>
          [
            timeOf(new Date(this.plot!.data[0][i]! * 1000).toISOString()),
            ...SERIES.map((s, k) => `${s.label} ${fmt(this.plot!.data[k + 1]![i] ?? undefined)}`),
          ].join(' · '),
        ),
      );
    } else {
      this.plot.setData(data);
    }
  }

  private resizeChart(): void {
    if (this.plot) this.plot.setSize({ width: Math.max(this.chartEl.clientWidth, 280), height: 200 });
  }
}

const byTime = (a: Reading, b: Reading) => Date.parse(a.time) - Date.parse(b.time);

/** A chart point's date and clock time in the page's language and the cities' zone, 24-hour
 * like the readout: "Dec 7, 10:06:28", "12月7日 10:06:28". */
function legendTime(seconds: number): string {
  return formatDateTime(seconds * 1000, { ...CLOCK_WITH_SECONDS, month: 'short', day: 'numeric' });
}

/** History answers may be a list of readings or `{points|items|series: [...]}`; keep what has a time. */
function historyPoints(body: unknown, stationId: string): Reading[] {
  let rows: unknown[] = items<unknown>(body);
  if (!rows.length && body && typeof body === 'object') {
    const b = body as { points?: unknown; series?: unknown };
    rows = Array.isArray(b.points) ? b.points : Array.isArray(b.series) ? b.series : [];
  }
  return rows
    .filter((r): r is Reading => !!r && typeof r === 'object' && typeof (r as Reading).time === 'string')
    .map((r) => ({ ...r, stationId }));
}

/** Each band's colour with its AQI range written next to it: readable without hovering. */
function legend(): HTMLElement[] {
  return HJ633_BANDS.map((b, i) => {
    const from = i === 0 ? 0 : HJ633_BANDS[i - 1]!.max + 1;
    const range = Number.isFinite(b.max) ? `${from}–${b.max}` : `>${from - 1}`;
    return h(
      'span',
      { class: 'legend-band', title: bandName(b) },
      h('i', { style: `background:${b.color}`, 'aria-hidden': 'true' }),
      range,
    );
  });
}

const axisFormat = new Map<string, Intl.DateTimeFormat>();
/** An axis tick (seconds) as the city's clock time, "15:00", in the page's locale. */
function axisTime(seconds: number): string {
  const lang = language();
  let f = axisFormat.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: CITY_TIME_ZONE,
    });
    axisFormat.set(lang, f);
  }
  return f.format(new Date(seconds * 1000));
}

function fmt(v: number | undefined): string {
  return v === undefined ? '–' : String(Math.round(v * 10) / 10);
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.describe();
  return err instanceof Error ? err.message : String(err);
}
