// A WAI-ARIA tab list: one tab in the Tab order (roving tabindex), arrow keys move between tabs
// and select them, Home and End jump to the ends.
import { h } from './dom.ts';

export function tabList<T extends string>(
  tabs: { id: T; label: string }[],
  panelId: string,
  onSelect: (id: T) => void,
): { el: HTMLElement; select(id: T): void } {
  const buttons = new Map<T, HTMLButtonElement>();
  const el = h('div', { class: 'tabs', role: 'tablist' });
  const ids = tabs.map((x) => x.id);
  const focusAndSelect = (id: T) => {
    buttons.get(id)?.focus();
    onSelect(id);
  };
  for (const { id, label } of tabs) {
    const b = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${id}`,
        'data-tab': id,
        'aria-controls': panelId,
        onclick: () => onSelect(id),
      },
      label,
    );
    b.addEventListener('keydown', (e) => {
      const i = ids.indexOf(id);
      const to =
        e.key === 'ArrowRight' || e.key === 'ArrowDown'
          ? ids[(i + 1) % ids.length]
          : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
            ? ids[(i - 1 + ids.length) % ids.length]
            : e.key === 'Home'
              ? ids[0]
              : e.key === 'End'
                ? ids[ids.length - 1]
                : undefined;
      if (to === undefined) return;
      e.preventDefault();
      focusAndSelect(to);
    });
    buttons.set(id, b);
    el.append(b);
  }
  return {
    el,
    select(id: T) {
      for (const [key, b] of buttons) {
        const on = key === id;
        b.setAttribute('aria-selected', String(on));
        b.tabIndex = on ? 0 : -1;
      }
      document.getElementById(panelId)?.setAttribute('aria-labelledby', `tab-${id}`);
    },
  };
}
