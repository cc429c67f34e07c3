// The city map: MapLibre GL JS with the bundled offline style (style.ts) or the operator's
// (CITYSTREAM_MAP_STYLE_URL, read from /map/config.json), district names as HTML labels (no font
// server), and the city's stations, cameras, hospitals and incidents as clustered HTML markers:
// real buttons, so they take keyboard focus and screen readers read them. Clicking the map,
// pressing Enter on it, searching a place or the "my location" button places the report pin
// (onPick); arrow keys move a focused pin. Clicking a marker opens its item (onOpen) and never
// moves the report pin.
import {
  AttributionControl,
  GeolocateControl,
  Map as MapLibreMap,
  Marker,
  NavigationControl,
  Popup,
  ScaleControl,
  setWorkerUrl,
  type StyleSpecification,
} from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import Supercluster from 'supercluster';
import districtsUrl from '../../../core/domain/districts.geojson?url';
import { DistrictIndex, type District, type DistrictCollection } from '../../../core/domain/districts.ts';
import { list } from '../api.ts';
import { cityLabel, type City, type LatLon } from '../cities.ts';
import { h } from '../dom.ts';
import { language, localName, otherNames, t } from '../i18n/index.ts';
import { map as mapTexts } from '../i18n/locales/map.ts';
import type { z } from 'zod';
import type { hospitalResponse } from '../../../modules/appointments/index.ts';
import { TRANSPORT_STATIONS } from '../../../core/domain/transport-stations.ts';
import { searchPlaces, type Place } from './places.ts';
import { addDistrictOverlay, OFFLINE_STYLE_NAME, offlineStyle } from './style.ts';

type Hospital = z.output<typeof hospitalResponse>;

setWorkerUrl(new URL(workerUrl, location.href).href);

export type PinKind = 'station' | 'camera' | 'hospital' | 'incident' | 'report';
export type IncidentStatus = 'submitted' | 'acknowledged' | 'in_progress' | 'resolved' | 'rejected';

export interface Pin extends LatLon {
  id: string;
  kind: PinKind;
  label: string;
  /** Its names in other languages: the search box finds it by them too. */
  alt?: string | undefined;
  color?: string | undefined;
  /** Incidents: coloured by it; resolved and rejected ones can be hidden. */
  status?: IncidentStatus | undefined;
}

const LAYERS = ['station', 'camera', 'hospital', 'incident'] as const;
type Layer = (typeof LAYERS)[number];

export const STATUS_COLORS: Record<IncidentStatus, string> = {
  submitted: '#e03131',
  acknowledged: '#e8590c',
  in_progress: '#1971c2',
  resolved: '#868e96',
  rejected: '#adb5bd',
};
const CLOSED: IncidentStatus[] = ['resolved', 'rejected'];

/** How far an arrow key moves a focused pin, in screen pixels (Shift: five times). */
const NUDGE_PX = 12;

let districtIndex: Promise<DistrictIndex> | null = null;
/** The district boundaries, fetched once per page (the hashed asset is cached by the browser). */
export function districts(): Promise<DistrictIndex> {
  districtIndex ??= fetch(districtsUrl)
    .then((r) => r.json() as Promise<DistrictCollection>)
    .then((c) => new DistrictIndex(c));
  return districtIndex;
}

/** A district's name in the page's language. */
export function districtName(d: District | null): string {
  if (!d) return t('map:outside');
  return language() === 'zh-CN' ? d.zh : d.en;
}

/** Room kept around a fitted city, in CSS pixels. */
const MAP_PADDING = 12;

/** Pins clustered for drawing at every zoom. */
function pinIndex(pins: Pin[]): Supercluster<{ pin: Pin }> {
  return new Supercluster<{ pin: Pin }>({ radius: 48, maxZoom: 15 }).load(
    pins.map((pin) => ({
      type: 'Feature',
      properties: { pin },
      geometry: { type: 'Point', coordinates: [pin.lon, pin.lat] },
    })),
  );
}

export class CityMap {
  readonly el: HTMLElement;
  private readonly canvasBox = h('div', { class: 'map-canvas' });
  private readonly caption = h('p', { class: 'map-caption', 'aria-live': 'polite' });
  private readonly searchInput = h('input', {
    type: 'search',
    name: 'place',
    list: 'map-places',
    autocomplete: 'off',
    placeholder: t('map:searchPlaceholder'),
    'aria-label': t('map:search'),
  });
  private readonly placeList = h('datalist', { id: 'map-places' });
  private readonly toggles = new Map<Layer | 'hideResolved', HTMLInputElement>();
  private map: MapLibreMap | null = null;
  private city: City | null = null;
  private pins: Pin[] = [];
  private hospitals: Pin[] = [];
  private reportPin: LatLon | null = null;
  private reportMarker: Marker | null = null;
  /** Markers on the map by what they show: one that did not change keeps its element (and focus). */
  private markers = new Map<string, Marker>();
  private labels: Marker[] = [];
  private popup: Popup | null = null;
  /** setCity came while the map had no size: fit the city as soon as it has one. */
  private fitWhenSized = false;
  // Loaded (empty) from the start: the map may move, and draw, before the first pins arrive, and
  // an index never loaded throws on every query.
  private index = pinIndex([]);
  private styleName = '';
  private citySeq = 0;
  /** Called with a position the person chose for a report (click, Enter, search, location, keys). */
  onPick: ((p: LatLon) => void) | null = null;
  /**
   * Whether the page lets a person pick a place for a report (the dashboard) or only shows one
   * (the staff console): without WebGL, the first still has a search that places the pin.
   */
  private readonly picksReports: boolean;
  /** Called when a marker is clicked: the dashboard opens that station, incident, camera... */
  onOpen: ((pin: Pin) => void) | null = null;

  constructor(o: { picksReports: boolean }) {
    this.picksReports = o.picksReports;
    const search = h(
      'form',
      { class: 'map-search', role: 'search' },
      this.searchInput,
      this.placeList,
      h('button', { type: 'submit' }, t('map:searchButton')),
    );
    search.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.search(this.searchInput.value);
    });
    const layerBoxes = h(
      'fieldset',
      { class: 'map-layers' },
      h('legend', {}, t('map:layers')),
      LAYERS.map((l) => this.toggle(l, t(`map:layer.${l}`), true)),
      this.toggle('hideResolved', t('map:hideResolved'), false),
    );
    const pinCentre = h('button', { type: 'button', class: 'map-pin-centre' }, t('map:pinCentre'));
    pinCentre.addEventListener('click', () => this.pinCentre());
    this.el = h(
      'section',
      { class: 'panel map', id: 'map' },
      h('h2', {}, t('map:title')),
      h('div', { class: 'map-tools' }, search, pinCentre),
      h('div', { class: 'map-frame' }, this.canvasBox),
      layerBoxes,
      this.caption,
    );
    void this.start();
  }

  setCity(city: City): void {
    this.city = city;
    this.pins = [];
    this.hospitals = [];
    this.reportPin = null;
    this.popup?.remove();
    this.el.dataset.city = city.id;
    const seq = ++this.citySeq;
    if (this.map) this.fitCity();
    void list<Hospital>(`/v1/hospitals?city=${city.id}`).then(
      (rows) => {
        if (seq !== this.citySeq) return;
        this.hospitals = rows.map((r) => ({
          id: r.id,
          kind: 'hospital',
          lat: r.lat,
          lon: r.lon,
          label: localName(r),
          alt: otherNames(r),
        }));
        this.render();
      },
      () => undefined, // hospitals are an extra layer: the map works without them
    );
    this.render();
  }

  setPins(pins: Pin[]): void {
    this.pins = pins;
    this.render();
  }

  setReportPin(p: LatLon | null): void {
    this.reportPin = p;
    this.renderReportPin();
    void this.describeReportPin();
  }

  /** The district of a point (for the report form's place name). */
  async districtAt(p: LatLon): Promise<District | null> {
    return (await districts()).at(p);
  }

  private toggle(key: Layer | 'hideResolved', label: string, checked: boolean): HTMLElement {
    const box = h('input', { type: 'checkbox', name: key, checked });
    box.addEventListener('change', () => this.render());
    this.toggles.set(key, box);
    return h('label', { class: 'map-toggle' }, box, label);
  }

  private async start(): Promise<void> {
    const config = await fetch('/map/config.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ styleUrl: string | null }>) : { styleUrl: null }))
      .catch(() => ({ styleUrl: null }));
    const absoluteDistricts = new URL(districtsUrl, location.href).href;
    const style: string | StyleSpecification = config.styleUrl ?? offlineStyle(absoluteDistricts);
    const texts = mapTexts[language()];
    try {
      this.map = new MapLibreMap({
        container: this.canvasBox,
        style,
        center: [114.06, 22.55],
        zoom: 9,
        minZoom: 6,
        maxZoom: 18,
        dragRotate: false,
        pitchWithRotate: false,
        attributionControl: false,
        // Text of MapLibre's own controls in the page's language.
        locale: Object.fromEntries(
          Object.entries(texts.ui as Record<string, Record<string, string>>).flatMap(([group, keys]) =>
            Object.entries(keys).map(([k, v]) => [`${group}.${k}`, v]),
          ),
        ),
        // On touch screens one finger scrolls the page and two move the map.
        cooperativeGestures: matchMedia('(pointer: coarse)').matches,
        localIdeographFontFamily: "'PingFang SC', 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif",
      });
    } catch {
      // No WebGL (some phones, locked-down office PCs): the frame says so instead of standing
      // empty, and the map-only tools hide (styles.css). Search still places the report pin
      // where reports are picked; elsewhere it would only move a map that is not there, so it
      // hides too.
      const pins = this.picksReports;
      this.canvasBox.replaceChildren(
        h('p', { class: 'map-unavailable' }, t(pins ? 'map:noWebglSearch' : 'map:noWebgl')),
      );
      if (!pins) this.el.dataset.search = 'off';
      this.el.dataset.state = 'no-webgl';
      return;
    }
    const map = this.map;
    map.touchZoomRotate.disableRotation();
    map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    const locate = new GeolocateControl({
      positionOptions: { enableHighAccuracy: true },
      trackUserLocation: false,
    });
    locate.on('geolocate', (e) =>
      this.pick({ lat: round(e.coords.latitude), lon: round(e.coords.longitude) }),
    );
    map.addControl(locate, 'top-right');
    map.addControl(new ScaleControl({ maxWidth: 120, unit: 'metric' }), 'bottom-left');
    map.addControl(new AttributionControl({ compact: true, customAttribution: t('map:attribution') }));
    map.getCanvas().setAttribute('aria-label', t('map:ariaLabel', { city: this.cityName() }));
    map.on('click', (e) => this.pick({ lat: round(e.lngLat.lat), lon: round(e.lngLat.lng) }));
    map.getCanvas().addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.pinCentre();
        // From the keyboard, the pin takes focus so the arrow keys move it next.
        this.reportMarker?.getElement().focus();
      }
    });
    map.on('moveend', () => this.renderMarkers());
    map.on('resize', () => {
      if (this.fitWhenSized && this.city) this.fitCity();
    });
    // What was drawn, for people who inspect the page (and the browser tests): district shapes in view.
    map.on('movestart', () => delete this.el.dataset.idle);
    map.on('idle', () => {
      this.el.dataset.idle = 'true';
      const layers = ['district-fill', 'district-line'].filter((id) => map.getLayer(id));
      this.el.dataset.renderedDistricts = String(map.queryRenderedFeatures({ layers }).length);
    });
    map.on('load', () => {
      this.styleName = map.getStyle().name ?? '';
      this.el.dataset.style = this.styleName;
      if (this.styleName !== OFFLINE_STYLE_NAME) addDistrictOverlay(map, absoluteDistricts);
      this.el.dataset.state = 'ready';
      this.updateCaption();
    });
    if (this.city) this.fitCity();
    const all = await districts();
    for (const d of all.all()) this.labels.push(this.districtLabel(d).addTo(map));
    this.render();
  }

  private fitCity(): void {
    const b = this.city!.bbox;
    // A map whose box has no room yet (its panel not laid out, or on a hidden tab) would get a NaN
    // zoom from fitBounds and break every later draw: fit once the box has a size.
    const box = this.map!.getContainer();
    if (box.clientWidth <= 2 * MAP_PADDING || box.clientHeight <= 2 * MAP_PADDING) {
      this.fitWhenSized = true;
      return;
    }
    this.fitWhenSized = false;
    this.map!.fitBounds(
      [
        [b.west, b.south],
        [b.east, b.north],
      ],
      { padding: MAP_PADDING, animate: false },
    );
    this.map!.getCanvas().setAttribute('aria-label', t('map:ariaLabel', { city: this.cityName() }));
  }

  private cityName(): string {
    return this.city ? cityLabel(this.city) : '';
  }

  private pick(p: LatLon): void {
    this.onPick?.(p);
    // Without a citizen panel wired (or before it is), the map still shows the pin.
    if (!this.onPick) this.setReportPin(p);
  }

  private pinCentre(): void {
    if (!this.map) return;
    const c = this.map.getCenter();
    this.pick({ lat: round(c.lat), lon: round(c.lng) });
  }

  private visiblePins(): Pin[] {
    const on = (l: Layer) => this.toggles.get(l)?.checked ?? true;
    const hideClosed = this.toggles.get('hideResolved')?.checked ?? false;
    return [...this.pins, ...this.hospitals].filter(
      (p) =>
        p.kind !== 'report' &&
        on(p.kind) &&
        !(p.kind === 'incident' && hideClosed && p.status && CLOSED.includes(p.status)),
    );
  }

  private render(): void {
    this.index = pinIndex(this.visiblePins());
    this.renderMarkers();
    this.renderReportPin();
    this.updatePlaces();
  }

  /** Markers for what is in view at this zoom: single pins, or clusters that zoom in on click. */
  private renderMarkers(): void {
    const map = this.map;
    if (!map) return;
    const next = new Map<string, Marker>();
    const keep = (key: string, make: () => Marker) => {
      const marker = this.markers.get(key) ?? make().addTo(map);
      this.markers.delete(key);
      next.set(key, marker);
    };
    const zoom = Math.round(map.getZoom());
    if (!Number.isFinite(zoom)) return; // not laid out yet; the fit after the first resize redraws
    const b = map.getBounds();
    for (const f of this.index.getClusters([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], zoom)) {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      const props = f.properties as {
        pin?: Pin;
        cluster?: boolean;
        cluster_id?: number;
        point_count?: number;
      };
      if (props.cluster) {
        const count = props.point_count ?? 0;
        keep(`cluster:${props.cluster_id}:${count}:${lon},${lat}`, () =>
          this.clusterMarker(props.cluster_id!, count, lon, lat),
        );
      } else if (props.pin) {
        const p = props.pin;
        keep(`pin:${JSON.stringify([p.id, p.kind, p.label, p.color, p.status, p.lat, p.lon])}`, () =>
          this.pinMarker(p),
        );
      }
    }
    for (const gone of this.markers.values()) gone.remove();
    this.markers = next;
  }

  private clusterMarker(clusterId: number, count: number, lon: number, lat: number): Marker {
    const map = this.map!;
    const el = h(
      'button',
      { type: 'button', class: 'map-cluster', 'aria-label': t('map:cluster', { count }) },
      String(count),
    );
    el.addEventListener('click', (e) => {
      e.stopPropagation();
      const zoom = this.index.getClusterExpansionZoom(clusterId);
      map.easeTo({ center: [lon, lat], zoom: Math.min(zoom, 17) });
    });
    return new Marker({ element: el }).setLngLat([lon, lat]);
  }

  private pinMarker(pin: Pin): Marker {
    const color = pin.kind === 'incident' && pin.status ? STATUS_COLORS[pin.status] : pin.color;
    const status = pin.status ? ` · ${t(`map:status.${pin.status}`)}` : '';
    const el = h('button', {
      type: 'button',
      class: `pin pin-${pin.kind}`,
      'data-pin': pin.id,
      'data-kind': pin.kind,
      'data-status': pin.status,
      'aria-label': `${t(`map:kind.${pin.kind}`)}: ${pin.label}${status}`,
      title: `${pin.label}${status}`,
      // Its name is data (a station's, a hospital's...), shown as the source wrote it.
      translate: 'no',
    });
    if (color) el.style.setProperty('--pin-color', color);
    el.addEventListener('click', (e) => {
      // A marker opens its item; it must not reach the map's click (which pins a report).
      e.stopPropagation();
      this.openPopup(pin);
      this.onOpen?.(pin);
    });
    return new Marker({ element: el, anchor: pin.kind === 'incident' ? 'bottom' : 'center' }).setLngLat([
      pin.lon,
      pin.lat,
    ]);
  }

  private openPopup(pin: Pin): void {
    if (!this.map) return;
    this.popup?.remove();
    const status = pin.status ? h('span', { class: 'popup-status' }, t(`map:status.${pin.status}`)) : null;
    const open = h('button', { type: 'button', class: 'popup-open' }, t('map:open'));
    open.addEventListener('click', () => this.onOpen?.(pin));
    this.popup = new Popup({ offset: 18, maxWidth: '260px' })
      .setLngLat([pin.lon, pin.lat])
      .setDOMContent(
        h(
          'div',
          { class: 'map-popup', 'data-pin': pin.id },
          h('strong', {}, t(`map:kind.${pin.kind}`)),
          h('span', { class: 'popup-label', translate: 'no' }, pin.label),
          status,
          open,
        ),
      )
      .addTo(this.map);
  }

  private renderReportPin(): void {
    const map = this.map;
    if (!map) return;
    if (!this.reportPin) {
      this.reportMarker?.remove();
      this.reportMarker = null;
      return;
    }
    if (!this.reportMarker) {
      const el = h('button', {
        type: 'button',
        class: 'pin pin-report',
        'data-pin': 'report',
        'data-kind': 'report',
        'aria-label': t('map:kind.report'),
      });
      el.addEventListener('click', (e) => e.stopPropagation());
      el.addEventListener('keydown', (e) => this.nudge(e));
      const marker = new Marker({ element: el, anchor: 'bottom', draggable: true });
      marker.on('dragend', () => {
        const p = marker.getLngLat();
        this.pick({ lat: round(p.lat), lon: round(p.lng) });
      });
      this.reportMarker = marker.setLngLat([this.reportPin.lon, this.reportPin.lat]).addTo(map);
    }
    this.reportMarker.setLngLat([this.reportPin.lon, this.reportPin.lat]);
  }

  /** Arrow keys move the focused report pin by a few screen pixels, whatever the zoom. */
  private nudge(e: KeyboardEvent): void {
    const step = (e.shiftKey ? 5 : 1) * NUDGE_PX;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[
      e.key
    ];
    if (!d || !this.map || !this.reportPin) return;
    e.preventDefault();
    e.stopPropagation();
    const at = this.map.project([this.reportPin.lon, this.reportPin.lat]);
    const to = this.map.unproject([at.x + d[0]!, at.y + d[1]!]);
    this.pick({ lat: round(to.lat), lon: round(to.lng) });
    this.reportMarker?.getElement().focus();
  }

  private async describeReportPin(): Promise<void> {
    const p = this.reportPin;
    if (!p) return this.updateCaption();
    const d = await this.districtAt(p);
    if (p !== this.reportPin) return;
    const place = t('map:placeOf', {
      district: districtName(d),
      lat: p.lat.toFixed(5),
      lon: p.lon.toFixed(5),
    });
    this.el.dataset.district = d?.zh ?? '';
    this.reportMarker?.getElement().setAttribute('aria-label', t('map:reportPin', { place }));
    this.caption.textContent = place;
  }

  private updateCaption(): void {
    if (this.reportPin) return;
    // Without a map there is nothing to click: the frame's notice says what still works.
    if (!this.map) {
      this.caption.textContent = '';
      return;
    }
    const offline = this.styleName === OFFLINE_STYLE_NAME ? ` ${t('map:offline')}` : '';
    this.caption.textContent = `${t('map:hint')}${offline}`;
  }

  private districtLabel(d: District): Marker {
    const zh = language() === 'zh-CN';
    const el = h(
      'div',
      { class: 'map-district', 'data-district': d.zh, 'aria-hidden': 'true' },
      h('span', { class: 'map-district-main' }, zh ? d.zh : d.en),
      h('span', { class: 'map-district-alt', translate: 'no' }, zh ? d.en : d.zh),
    );
    return new Marker({ element: el }).setLngLat([d.label.lon, d.label.lat]);
  }

  /** The search box's suggestions: the places of the current city. */
  private places(): Place[] {
    const city = this.city;
    if (!city) return [];
    const zh = language() === 'zh-CN';
    const named = (en: string, local: string) => (zh ? { name: local, alt: en } : { name: en, alt: local });
    const out: Place[] = [];
    const index = this.knownDistricts;
    for (const d of index?.all() ?? []) {
      if (d.city === city.id) out.push({ kind: 'district', ...named(d.en, d.zh), ...d.label });
    }
    for (const s of TRANSPORT_STATIONS[city.id])
      out.push({ kind: 'coach', ...named(s.en, s.zh), lat: s.lat, lon: s.lon });
    for (const p of [...this.hospitals, ...this.pins]) {
      if (p.kind === 'hospital' || p.kind === 'station' || p.kind === 'camera') {
        out.push({ kind: p.kind, name: p.label, alt: p.alt, lat: p.lat, lon: p.lon });
      }
    }
    return out;
  }

  private knownDistricts: DistrictIndex | null = null;

  private updatePlaces(): void {
    void districts().then((d) => {
      this.knownDistricts = d;
      this.placeList.replaceChildren(
        ...this.places().map((p) => h('option', { value: p.name }, t(`map:kind.${p.kind}`))),
      );
    });
  }

  private async search(query: string): Promise<void> {
    this.knownDistricts = await districts();
    const [best] = searchPlaces(this.places(), query, 1);
    if (!best) {
      this.caption.textContent = t('map:searchNone', { query, city: this.cityName() });
      return;
    }
    this.map?.easeTo({ center: [best.lon, best.lat], zoom: Math.max(this.map.getZoom(), 13) });
    this.pick({ lat: best.lat, lon: best.lon });
  }
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}
