// The offline city map: an SVG of the city's bounding box, projected equirectangularly (x scaled
// by cos(latitude) so distances look right at these latitudes), with the city's reference
// features and pins for stations, cameras and incidents. Clicking places the report pin.
import type { City, LatLon } from './cities.ts';
import { h, s } from './dom.ts';

export interface Pin extends LatLon {
  id: string;
  kind: 'station' | 'camera' | 'incident' | 'report';
  label: string;
  color?: string;
}

/** Drawing units across; fewer on a narrow screen so labels and pins stay legible. */
const WIDE = 1000;
const NARROW = 560;
/** Width over height of the drawn area. */
const ASPECT = 1.5;

export class CityMap {
  readonly el: HTMLElement;
  private readonly svg = s('svg', { class: 'map-svg', role: 'img' });
  private readonly caption = h('p', { class: 'map-caption' });
  private city: City | null = null;
  private view = { south: 0, west: 0, north: 1, east: 1, height: 1, kx: 1 };
  private pins: Pin[] = [];
  private reportPin: Pin | null = null;
  private width = WIDE;
  /** Called with the clicked position; the citizen panel uses it to pin a report. */
  onPick: ((p: LatLon) => void) | null = null;

  constructor() {
    this.el = h(
      'section',
      { class: 'panel map', id: 'map' },
      h('h2', {}, 'Map'),
      h('div', { class: 'map-frame' }, this.svg),
      this.caption,
    );
    new ResizeObserver(() => {
      const width = this.svg.clientWidth > 0 && this.svg.clientWidth < 640 ? NARROW : WIDE;
      if (width === this.width) return;
      this.width = width;
      this.render();
    }).observe(this.svg);
    this.svg.addEventListener('click', (e) => {
      const pt = this.unproject(e);
      if (pt && this.onPick) this.onPick(pt);
    });
  }

  setCity(city: City): void {
    this.city = city;
    this.pins = [];
    this.reportPin = null;
    this.render();
  }

  setPins(pins: Pin[]): void {
    this.pins = pins;
    this.render();
  }

  setReportPin(p: LatLon | null): void {
    this.reportPin = p ? { ...p, id: 'report', kind: 'report', label: 'your report' } : null;
    this.render();
  }

  private fit(): void {
    const c = this.city!;
    let { south, west, north, east } = c.bbox;
    // Grow the box to keep every pin inside, with a margin.
    for (const p of this.pins) {
      south = Math.min(south, p.lat - 0.01);
      north = Math.max(north, p.lat + 0.01);
      west = Math.min(west, p.lon - 0.01);
      east = Math.max(east, p.lon + 0.01);
    }
    const kx = Math.cos((((south + north) / 2) * Math.PI) / 180);
    // Pad the narrower side so the map keeps a landscape shape that fills its panel.
    const spanX = (east - west) * kx;
    const spanY = north - south;
    if (spanX < spanY * ASPECT) {
      const pad = (spanY * ASPECT - spanX) / kx / 2;
      west -= pad;
      east += pad;
    } else {
      const pad = (spanX / ASPECT - spanY) / 2;
      south -= pad;
      north += pad;
    }
    const height = Math.round(this.width / ASPECT);
    this.view = { south, west, north, east, height, kx };
  }

  private project(p: LatLon): [number, number] {
    const v = this.view;
    return [
      ((p.lon - v.west) / (v.east - v.west)) * this.width,
      ((v.north - p.lat) / (v.north - v.south)) * v.height,
    ];
  }

  private unproject(e: MouseEvent): LatLon | null {
    const ctm = this.svg.getScreenCTM();
    if (!ctm) return null;
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
    const v = this.view;
    return {
      lat: Math.round((v.north - (pt.y / v.height) * (v.north - v.south)) * 1e5) / 1e5,
      lon: Math.round((v.west + (pt.x / this.width) * (v.east - v.west)) * 1e5) / 1e5,
    };
  }

  private render(): void {
    const c = this.city;
    if (!c) return;
    this.fit();
    const v = this.view;
    this.svg.setAttribute('viewBox', `0 0 ${this.width} ${v.height}`);
    this.svg.setAttribute('aria-label', `Schematic map of ${c.name}`);
    const layers: SVGElement[] = [
      s('rect', { class: 'map-bg', x: 0, y: 0, width: this.width, height: v.height }),
    ];
    for (const line of c.lines) {
      const d = line.points
        .map(([lat, lon], i) => {
          const [x, y] = this.project({ lat, lon });
          return `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
        })
        .join(' ');
      layers.push(s('path', { class: `map-${line.kind}`, d }, s('title', {}, line.name)));
    }
    for (const place of c.places) {
      const [x, y] = this.project(place);
      layers.push(
        s('circle', { class: 'map-place', cx: x, cy: y, r: 4 }),
        place.anchor === 'end'
          ? s('text', { class: 'map-label', x: x - 8, y: y + 9, 'text-anchor': 'end' }, place.name)
          : s('text', { class: 'map-label', x: x + 8, y: y + 9 }, place.name),
      );
    }
    const all = this.reportPin ? [...this.pins, this.reportPin] : this.pins;
    for (const pin of all) layers.push(this.pin(pin));
    this.svg.replaceChildren(...layers);
    this.caption.textContent = `${c.name} ${c.local} · schematic, offline · ${v.south.toFixed(2)}–${v.north.toFixed(2)}°N, ${v.west.toFixed(2)}–${v.east.toFixed(2)}°E · click to pin a report`;
  }

  private pin(p: Pin): SVGElement {
    const [x, y] = this.project(p);
    const title = s('title', {}, p.label);
    const attrs = { class: `pin pin-${p.kind}`, 'data-pin': p.id, 'data-kind': p.kind };
    switch (p.kind) {
      case 'station':
        return s('g', attrs, s('circle', { cx: x, cy: y, r: 11, fill: p.color ?? '#c9ced6' }), title);
      case 'camera':
        return s('g', attrs, s('rect', { x: x - 7, y: y - 7, width: 14, height: 14, rx: 3 }), title);
      case 'incident':
      case 'report':
        return s(
          'g',
          attrs,
          s('path', {
            d: `M${x},${y} l-9,-20 a10,10 0 1,1 18,0 z`,
            fill: p.color ?? (p.kind === 'report' ? '#1971c2' : '#e03131'),
          }),
          title,
        );
    }
  }
}
