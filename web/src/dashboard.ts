// The page: city switcher, panels and the map, loaded over HTTP. A live link (live.ts) feeds it
// channel events; the dashboard says which channels it wants and applies what arrives.
import { AirPanel } from './air.ts';
import { bandFor } from './aqi.ts';
import { useToken } from './api.ts';
import { CameraPanel } from './cameras.ts';
import { CitizenPanel } from './citizen.ts';
import { CITIES, cityById, type CityId } from './cities.ts';
import { h } from './dom.ts';
import { language, localName, otherNames, t } from './i18n/index.ts';
import { languageSwitch } from './i18n/switch.ts';
import type { ChannelEvent } from './events.ts';
import { IncidentPanel } from './incidents.ts';
import { CityMap, type Pin } from './map/index.ts';
import { SessionStore } from './session.ts';
import { ActivityLog } from './activity.ts';
import { ConnectionIndicator } from './status.ts';

export class Dashboard {
  readonly session = new SessionStore();
  readonly connection = new ConnectionIndicator();
  readonly air = new AirPanel();
  readonly cameras = new CameraPanel(() => this.updatePins());
  readonly incidents = new IncidentPanel();
  readonly map = new CityMap({ picksReports: true });
  readonly activity = new ActivityLog((kind, id) => {
    if (kind === 'incident') {
      const category = this.incidents.incident(id)?.category;
      return category && t(`incidents:category.${category}`, { defaultValue: category });
    }
    const place = kind === 'station' ? this.air.station(id) : this.cameras.camera(id);
    return place && localName(place);
  });
  readonly citizen = new CitizenPanel(this.session, this.map);
  private readonly citySelect = h(
    'select',
    { id: 'city', 'aria-label': t('common:city') },
    // A city's name in the page's language first, the other after it: both are proper names.
    CITIES.map((c) =>
      h(
        'option',
        { value: c.id, translate: 'no' },
        language() === 'zh-CN' ? `${c.local} ${c.name}` : `${c.name} ${c.local}`,
      ),
    ),
  );
  private readonly header = h(
    'header',
    { class: 'topbar' },
    h('h1', {}, t('common:appName')),
    h('a', { class: 'skip-report', href: '#citizen' }, t('dashboard:skipToServices')),
    h('label', { class: 'city-switch' }, this.citySelect),
    languageSwitch(),
    this.citizen.accountEl,
  );
  city: CityId = cityFromHash() ?? 'shenzhen';
  /** Called when a city is selected, before it loads (the live link moves its subscriptions). */
  onCitySelected: (city: CityId) => void = () => undefined;

  constructor() {
    useToken(() => this.session.token());
    this.air.onChange = () => this.updatePins();
    this.incidents.onChange = () => this.updatePins();
    this.map.onOpen = (pin) => this.open(pin);
    this.citySelect.addEventListener('change', () => this.selectCity(this.citySelect.value as CityId));
    window.addEventListener('hashchange', () => {
      const id = cityFromHash();
      if (id && id !== this.city) this.selectCity(id);
    });
    this.session.onChange(() => void this.citizen.refresh());
    this.citizen.onOpenIncident = (id) => this.incidents.openIncident(id);
  }

  mount(root: HTMLElement): void {
    document.title = t('dashboard:pageTitle');
    root.append(
      this.header,
      h(
        'main',
        { class: 'grid' },
        this.air.el,
        this.map.el,
        this.cameras.el,
        this.incidents.el,
        this.citizen.el,
        this.activity.el,
      ),
    );
    this.selectCity(this.city);
    void this.citizen.refresh();
  }

  /** Shows the connection indicator (only once a live link exists). */
  showConnection(): void {
    this.header.insertBefore(this.connection.el, this.citizen.accountEl);
  }

  selectCity(id: CityId): void {
    this.city = id;
    this.citySelect.value = id;
    document.body.dataset.city = id;
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    this.activity.clearCity();
    this.citizen.setCity(id);
    this.onCitySelected(id);
    void this.reload();
  }

  /** Loads the current state of the city over HTTP. */
  async reload(): Promise<void> {
    const id = this.city;
    this.map.setCity(cityById(id));
    await Promise.all([
      this.air.load(id),
      this.cameras.load(id).then(() => this.updatePins()),
      this.incidents.load(id),
    ]);
  }

  /** Merges a fresh read into the panels a single missed event would leave wrong for good. */
  async catchUp(): Promise<void> {
    // Both panels report what changes the map themselves (new cameras, the incident list).
    await Promise.all([this.cameras.refresh(), this.incidents.refresh()]);
  }

  /** An event of one of the city's channels. */
  onCityEvent(e: ChannelEvent): void {
    const data = e.event.data as never;
    switch (e.event.type) {
      case 'city.air.reading.v1':
        this.air.onReading(data);
        break;
      case 'city.air.aqi.v1':
        this.air.onAqi(data);
        break;
      case 'city.camera.snapshot.v1':
        this.cameras.onSnapshot(data);
        return; // frames show in the grid; they would drown the activity log
      case 'city.camera.status.v1':
        this.cameras.onStatus(data);
        break;
      case 'city.incident.reported.v1':
        this.incidents.onReported(data);
        break;
      case 'city.incident.status_changed.v1':
        this.incidents.onStatusChanged(data);
        break;
    }
    this.activity.add(e);
  }

  /** An event of the signed-in citizen's private channel. */
  onUserEvent(e: ChannelEvent): void {
    this.citizen.onUserEvent(e);
    this.activity.add(e);
  }

  /** A marker clicked on the map: its item in its panel (the report pin stays where it is). */
  private open(pin: Pin): void {
    switch (pin.kind) {
      case 'station':
        void this.air.select(pin.id);
        reveal(this.air.el.querySelector(`[data-station="${CSS.escape(pin.id)}"]`));
        break;
      case 'incident':
        this.incidents.openIncident(pin.id);
        break;
      case 'camera':
        reveal(this.cameras.el.querySelector(`[data-camera-tile="${CSS.escape(pin.id)}"]`));
        break;
      default:
        break;
    }
  }

  private updatePins(): void {
    const pins: Pin[] = [
      ...this.air.stationList().map(({ station, aqi }) => ({
        id: station.id,
        kind: 'station' as const,
        lat: station.lat,
        lon: station.lon,
        label: aqi
          ? t('dashboard:stationPin', { name: localName(station), aqi: aqi.cn.aqi })
          : localName(station),
        alt: otherNames(station),
        color: aqi ? bandFor(aqi.cn.aqi).color : undefined,
      })),
      ...this.cameras.cameras().map((c) => ({
        id: c.id,
        kind: 'camera' as const,
        lat: c.lat,
        lon: c.lon,
        label: localName(c),
        alt: otherNames(c),
      })),
      ...this.incidents.all().map((i) => ({
        id: i.id,
        kind: 'incident' as const,
        lat: i.lat,
        lon: i.lon,
        label: t('dashboard:incidentPin', { category: i.category, description: i.description }),
        status: i.status,
      })),
    ];
    this.map.setPins(pins);
  }
}

/** Scrolls to a marker's item in its panel and marks it, without leaving the page. */
function reveal(el: Element | null): void {
  if (!(el instanceof HTMLElement)) return;
  el.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  el.classList.add('revealed');
  setTimeout(() => el.classList.remove('revealed'), 2000);
}

function cityFromHash(): CityId | null {
  const id = location.hash.replace('#', '');
  return CITIES.some((c) => c.id === id) ? (id as CityId) : null;
}
