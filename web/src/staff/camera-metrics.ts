// A camera's recent pipeline samples (GET /v1/cameras/{id}/metrics, the last hour) as a small
// chart: input bitrate on the left scale, snapshots and restarts per sample window on the right.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom.ts';
import { formatTime, t } from '../i18n/index.ts';
import { call } from './http.ts';

interface Sample {
  time: string;
  inputBitrate?: number;
  snapshots?: number;
  restarts?: number;
}

/** The chart on screen: uPlot listens on the window until destroyed, so only one lives at a time. */
let shown: uPlot | null = null;

/** Fills `box` with the chart of `cameraId` (or says why there is none). */
export async function showCameraMetrics(box: HTMLElement, cameraId: string): Promise<void> {
  // Every change of the box drops the chart it held (clicks may overlap: the last answer wins).
  const show = (...nodes: Node[]) => {
    shown?.destroy();
    shown = null;
    box.replaceChildren(...nodes);
  };
  show(h('p', { class: 'muted' }, t('staff:devices.metricsLoading')));
  let points: Sample[];
  try {
    points = (await call<{ points: Sample[] }>(`/v1/cameras/${encodeURIComponent(cameraId)}/metrics`)).body
      .points;
  } catch (err) {
    show(h('p', { class: 'staff-message error' }, t('staff:failed', { detail: (err as Error).message })));
    return;
  }
  if (points.length === 0) {
    show(h('p', { class: 'muted' }, t('staff:devices.metricsNone')));
    return;
  }
  const title = h('h3', {}, t('staff:devices.metricsTitle', { id: cameraId }));
  const chart = h('div', {
    class: 'staff-metrics-chart',
    role: 'img',
    'aria-label': t('staff:devices.metricsTitle', { id: cameraId }),
  });
  const last = points[points.length - 1]!;
  // The latest values in words, for screen readers and for a quick look without hovering.
  const summary = h(
    'p',
    { class: 'staff-metrics-summary' },
    t('staff:devices.metricsLatest', {
      time: formatTime(last.time),
      kbps: Math.round((last.inputBitrate ?? 0) / 1000),
      snapshots: last.snapshots ?? 0,
      restarts: last.restarts ?? 0,
    }),
  );
  show(title, chart, summary);
  const width = Math.max(box.clientWidth - 8, 260);
  shown = new uPlot(
    {
      width,
      height: 180,
      scales: { x: { time: true }, kbps: { auto: true }, count: { auto: true } },
      axes: [
        { values: (_u, ticks) => ticks.map((s) => formatTime(new Date(s * 1000).toISOString())) },
        { scale: 'kbps', label: 'kbit/s' },
        { scale: 'count', side: 1, grid: { show: false } },
      ],
      series: [
        {},
        { label: t('staff:devices.bitrate'), scale: 'kbps', stroke: '#1a5fb4', width: 1.5 },
        { label: t('staff:devices.snapshots'), scale: 'count', stroke: '#26a269', width: 1.5 },
        { label: t('staff:devices.restarts'), scale: 'count', stroke: '#c01c28', width: 1.5 },
      ],
    },
    [
      points.map((p) => Date.parse(p.time) / 1000),
      points.map((p) => (p.inputBitrate === undefined ? null : p.inputBitrate / 1000)),
      points.map((p) => p.snapshots ?? null),
      points.map((p) => p.restarts ?? null),
    ],
    chart,
  );
}
