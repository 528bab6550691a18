// Charts on uPlot (installed from npm by the build, served from /assets/vendor).
import uPlot from '/assets/vendor/uplot/uPlot.esm.js';

const DAY = 86400;

/** Shades [lo, hi] across the plot: the catalog's normal range. */
function normalRangePlugin(lo, hi) {
  return {
    hooks: {
      drawClear: [(u) => {
        if (lo == null && hi == null) return;
        const ctx = u.ctx;
        const top = u.valToPos(hi ?? u.scales.y.max, 'y', true);
        const bottom = u.valToPos(lo ?? u.scales.y.min, 'y', true);
        ctx.save();
        ctx.fillStyle = 'rgba(26, 127, 55, .10)';
        ctx.fillRect(u.bbox.left, Math.min(top, bottom), u.bbox.width, Math.abs(bottom - top));
        ctx.restore();
      }],
    },
  };
}

/** Vertical markers: events (dashed, orange) and maintenance (solid, purple), labelled by a letter so colour is not the only cue. */
function markersPlugin(markers) {
  return {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        for (const m of markers) {
          const x = u.valToPos(m.t, 'x', true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = m.kind === 'maintenance' ? '#8250df' : '#bc4c00';
          ctx.setLineDash(m.kind === 'maintenance' ? [] : [4, 3]);
          ctx.lineWidth = 1.5;
          ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
          ctx.fillStyle = ctx.strokeStyle;
          ctx.font = '11px system-ui';
          ctx.fillText(m.kind === 'maintenance' ? 'M' : 'E', x + 2, u.bbox.top + 10);
        }
        ctx.restore();
      }],
    },
  };
}

/** A signal from server-side buckets: mean line inside its min–max band, normal range shaded, markers. */
export function signalChart(el, buckets, { label, unit, normalMin, normalMax, markers = [], width = 560, height = 220 }) {
  const xs = buckets.map((b) => Date.parse(b.ts) / 1000);
  const data = [xs, buckets.map((b) => b.min), buckets.map((b) => b.mean), buckets.map((b) => b.max)];
  const opts = {
    width, height,
    plugins: [normalRangePlugin(normalMin, normalMax), markersPlugin(markers.map((m) => ({ ...m, t: Date.parse(m.ts) / 1000 })))],
    scales: { x: { time: true } },
    axes: [{}, { label: unit ?? '' }],
    series: [
      {},
      { label: 'min', stroke: 'rgba(11,92,173,.35)', width: 1 },
      { label: `${label} mean`, stroke: '#0b5cad', width: 1.5 },
      { label: 'max', stroke: 'rgba(11,92,173,.35)', width: 1 },
    ],
    bands: [{ series: [3, 1], fill: 'rgba(11, 92, 173, .12)' }],
  };
  return new uPlot(opts, data, el);
}

/**
 * A forecast: the signal so far, the fitted trend continued from the last value to the threshold at P50, the
 * P10–P90 crossing band as a shaded wedge, the threshold as a horizontal line and the P50 date marked.
 */
export function forecastChart(el, buckets, f, { unit, width = 560, height = 240 }) {
  const xs = buckets.map((b) => Date.parse(b.ts) / 1000);
  const means = buckets.map((b) => b.mean);
  const lastT = xs.length ? xs[xs.length - 1] : Date.parse(f.computedAt) / 1000;
  const lastV = means.length ? means[means.length - 1] : f.threshold;
  const p10 = Date.parse(f.p10) / 1000, p50 = Date.parse(f.p50) / 1000, p90 = Date.parse(f.p90) / 1000;
  const end = Math.max(p90, lastT + DAY);
  // One x array for everything: history, then the projection's points.
  const px = [...xs, p10, p50, p90, end].filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => a - b);
  const at = (series) => px.map((x) => series.get(x) ?? null);
  const hist = new Map(xs.map((x, i) => [x, means[i]]));
  const trend = new Map([[lastT, lastV], [p50, f.threshold]]);
  const thr = new Map(px.map((x) => [x, f.threshold]));
  const data = [px, at(hist), at(trend), at(thr)];
  const wedge = {
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx;
        const x0 = u.valToPos(lastT, 'x', true), y0 = u.valToPos(lastV, 'y', true);
        const yT = u.valToPos(f.threshold, 'y', true);
        ctx.save();
        ctx.fillStyle = 'rgba(11, 92, 173, .18)';
        ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(u.valToPos(p10, 'x', true), yT); ctx.lineTo(u.valToPos(p90, 'x', true), yT); ctx.closePath(); ctx.fill();
        const x50 = u.valToPos(p50, 'x', true);
        ctx.strokeStyle = '#cf222e'; ctx.setLineDash([2, 2]);
        ctx.beginPath(); ctx.moveTo(x50, u.bbox.top); ctx.lineTo(x50, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillStyle = '#cf222e'; ctx.font = '11px system-ui'; ctx.fillText(`P50 ${f.p50.slice(0, 10)}`, Math.min(x50 + 3, u.bbox.left + u.bbox.width - 80), u.bbox.top + 12);
        ctx.restore();
      }],
    },
  };
  const opts = {
    width, height, plugins: [wedge],
    scales: { x: { time: true } },
    axes: [{}, { label: unit ?? '' }],
    series: [
      {},
      { label: `${f.signal}`, stroke: '#0b5cad', width: 1.5, spanGaps: true },
      { label: `trend (${f.model})`, stroke: '#9a6700', width: 2, dash: [6, 4], spanGaps: true },
      { label: `threshold ${f.threshold}`, stroke: '#cf222e', width: 1.5 },
    ],
  };
  return new uPlot(opts, data, el);
}

/** A plain line over time (anomaly score, readings). */
export function lineChart(el, xsIso, ys, { label, unit, threshold, width = 560, height = 200 }) {
  const xs = xsIso.map((t) => Date.parse(t) / 1000);
  const series = [{}, { label, stroke: '#0b5cad', width: 1.5, points: { show: xs.length < 50 } }];
  const data = [xs, ys];
  if (threshold != null) { series.push({ label: `threshold ${threshold}`, stroke: '#cf222e', dash: [4, 3] }); data.push(xs.map(() => threshold)); }
  return new uPlot({ width, height, scales: { x: { time: true } }, axes: [{}, { label: unit ?? '' }], series }, data, el);
}

/**
 * A learned remaining-useful-life band as inline SVG on a days-from-now axis: the P10–P90 interval shaded, P50 as a
 * solid mark, the alert horizon dashed. `b` holds p10Days/p50Days/p90Days and horizonDays (numbers from the API).
 */
export function rulBandSvg(b, { width = 560, height = 70 } = {}) {
  const pad = 30;
  const max = Math.max(b.p90Days, b.horizonDays, 1) * 1.1;
  const x = (d) => (pad + (Math.max(0, d) / max) * (width - 2 * pad)).toFixed(1);
  const ticks = [0, max / 4, max / 2, (3 * max) / 4].map((d) => Math.round(d));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="100%" style="max-width:${width}px" viewBox="0 0 ${width} ${height}" aria-hidden="true">`,
    `<line x1="${pad}" y1="40" x2="${width - pad}" y2="40" stroke="#8c959f" stroke-width="1"/>`,
    ...ticks.map((d) => `<text x="${x(d)}" y="${height - 6}" font-size="10" text-anchor="middle" fill="#57606a">${d} d</text>`),
    `<rect class="rul-band" x="${x(b.p10Days)}" y="28" width="${(x(b.p90Days) - x(b.p10Days)).toFixed(1)}" height="24" fill="rgba(11, 92, 173, .25)" stroke="#0b5cad"/>`,
    `<line class="rul-p50" x1="${x(b.p50Days)}" y1="22" x2="${x(b.p50Days)}" y2="58" stroke="#0b5cad" stroke-width="3"/>`,
    `<text x="${x(b.p50Days)}" y="16" font-size="11" text-anchor="middle" fill="#0b5cad">P50 ${Number(b.p50Days).toFixed(1)} d</text>`,
    `<line class="rul-horizon" x1="${x(b.horizonDays)}" y1="22" x2="${x(b.horizonDays)}" y2="58" stroke="#cf222e" stroke-dasharray="4 3"/>`,
    `<text x="${x(b.horizonDays)}" y="16" font-size="10" text-anchor="middle" fill="#cf222e">horizon ${Number(b.horizonDays).toFixed(0)} d</text>`,
    '</svg>',
  ];
  return parts.join('');
}
