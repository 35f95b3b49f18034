/* Line and bar charts with uPlot (about 50 KB, no dependencies), fetched on first use with its CSS
 * as its own chunk: pages without a chart never load it. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n/index.js';

let lib = null;
function loadLib() {
  lib = lib || Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default,
    (e) => { lib = null; throw e; });
  return lib;
}

export const COLORS = ['#2f6fed', '#1a9d6f', '#e0622a', '#8a5cf6', '#d4a106', '#d6336c'];

/*
 * x: unix seconds (days or months, UTC); series: [{label, values, color?}] (null: no value);
 * bars: draw bars instead of lines (for one series); fmt: how the y axis and the legend write a value.
 */
const INT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7, 1e8, 1e9];

export function Chart({ x, series, bars = false, height = 240, fmt, monthly = false, decimals = false, name }) {
  const el = useRef(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    let plot = null, ro = null, dead = false;
    loadLib().then((uPlot) => {
      if (dead || !el.current) return;
      const w = () => Math.max(280, el.current.clientWidth || 600);
      const show = (v) => (v == null ? '–' : fmt ? fmt(v) : String(v));
      const opts = {
        width: w(), height,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'UTC'),
        scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, hi > 0 ? hi * 1.1 : 1] } },
        axes: [
          /* one tick a month, on the points themselves */
          monthly ? { splits: () => x, values: (u, vals) => vals.map((v) => new Date(v * 1e3).toISOString().slice(0, 7)) } : {},
          { values: (u, vals) => vals.map(show), size: 60, incrs: decimals ? undefined : INT_INCRS },
        ],
        legend: { live: true },
        series: [
          { label: monthly ? t('chart.month') : t('chart.date'), value: (u, v) => (v == null ? '–' : new Date(v * 1e3).toISOString().slice(0, monthly ? 7 : 10)) },
          ...series.map((s, i) => {
            const c = s.color || COLORS[i % COLORS.length];
            return {
              label: s.label, stroke: c, width: 2, value: (u, v) => show(v),
              fill: bars ? c + 'cc' : c + '14',
              points: { show: x.length <= 40 },
              paths: bars ? uPlot.paths.bars({ size: [0.7, 48] }) : undefined,
            };
          }),
        ],
      };
      plot = new uPlot(opts, [x, ...series.map((s) => s.values)], el.current);
      if (typeof ResizeObserver !== 'undefined') {
        ro = new ResizeObserver(() => plot && plot.setSize({ width: w(), height }));
        ro.observe(el.current);
      }
    }, (e) => { if (!dead) setErr(e); });
    return () => { dead = true; if (ro) ro.disconnect(); if (plot) plot.destroy(); };
  }, [x, series, bars, height, fmt, monthly, decimals]);
  if (err) return <p class="muted small">{t('chart.failed')}</p>;
  return <div class="chart" ref={el} data-chart={name || ''} />;
}

/* "YYYY-MM-DD" -> unix seconds at 00:00 UTC; "YYYY-MM" -> the month's first day */
export const daySec = (d) => Date.parse(d.length === 7 ? d + '-01T00:00:00Z' : d + 'T00:00:00Z') / 1000;
