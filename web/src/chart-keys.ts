// Reading a uPlot chart without a mouse: the chart takes focus, the arrow keys (and Home/End)
// move its cursor from point to point, and a polite live line reads the point's time and values,
// the same values the legend shows while a pointer hovers.
import type uPlot from 'uplot';
import { h } from './dom.ts';

export function chartKeyboard(
  plot: uPlot,
  host: HTMLElement,
  label: string,
  read: (idx: number) => string,
): HTMLElement {
  const readout = h('p', { class: 'chart-readout', 'aria-live': 'polite', 'data-field': 'readout' });
  host.tabIndex = 0;
  host.setAttribute('role', 'group');
  host.setAttribute('aria-label', label);
  let idx: number | null = null;
  const show = (i: number) => {
    const xs = plot.data[0];
    if (!xs.length) return;
    idx = Math.max(0, Math.min(xs.length - 1, i));
    plot.setCursor({ left: plot.valToPos(xs[idx]!, 'x'), top: plot.over.clientHeight / 2 });
    readout.textContent = read(idx);
  };
  host.addEventListener('keydown', (e) => {
    const last = plot.data[0].length - 1;
    const step = e.shiftKey ? 6 : 1;
    const to =
      e.key === 'ArrowRight'
        ? (idx ?? last - step) + step
        : e.key === 'ArrowLeft'
          ? (idx ?? last + step) - step
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? last
              : null;
    if (to === null) return;
    e.preventDefault();
    show(to);
  });
  host.addEventListener('focus', () => show(idx ?? plot.data[0].length - 1));
  // Hovering reads the same line, so pointer and keyboard users see the same values.
  plot.over.addEventListener('mousemove', () => {
    const i = plot.cursor.idx;
    if (i !== null && i !== undefined) {
      idx = i;
      readout.textContent = read(i);
    }
  });
  return readout;
}
