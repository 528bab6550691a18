// Fleet page: every device ranked by risk, filters kept in the URL, live over SSE.
import { html, getJson, healthBadge, ago, sparkline, live, throttle, setMain, esc, day } from './common.js';

const params = new URLSearchParams(location.search);
const filters = { site: params.get('site') ?? '', modality: params.get('modality') ?? '', health: params.get('health') ?? '', q: params.get('q') ?? '' };
const sparks = new Map();
let devices = [];

function rank(list) {
  // Risk (soonest P50 crossing weighted by confidence, then severity) first, then open alerts, data-quality flags, id.
  return [...list].sort((a, b) => b.analysis.risk - a.analysis.risk
    || b.analysis.openAlerts.length - a.analysis.openAlerts.length
    || b.analysis.dataQuality.length - a.analysis.dataQuality.length
    || a.id.localeCompare(b.id));
}

function visible(d) {
  if (filters.site && d.site !== filters.site) return false;
  if (filters.modality && d.modality !== filters.modality) return false;
  if (filters.health && d.analysis.health !== filters.health) return false;
  if (filters.q) {
    const q = filters.q.toLowerCase();
    if (!d.id.toLowerCase().includes(q) && !(d.serial ?? '').toLowerCase().includes(q)) return false;
  }
  return true;
}

function options(values, selected, all) {
  return [html`<option value="">${all}</option>`, ...[...new Set(values)].filter(Boolean).sort().map((v) => html`<option value="${v}" ${selected === v ? 'selected' : ''}>${v}</option>`)];
}

function soonest(d) {
  const f = d.analysis.openAlerts.map((a) => a.p50).filter(Boolean).sort()[0];
  return f ? day(f) : '—';
}

function row(d) {
  const a = d.analysis;
  const spark = sparks.get(d.id);
  const alerts = a.openAlerts.length
    ? a.openAlerts.map((x) => html`<a href="/alerts/${encodeURIComponent(x.id)}">${x.component}</a> <span class="badge sev-${x.severity}">${x.severity}</span> `)
    : [html`<span class="muted">none</span>`];
  const dq = a.dataQuality.length ? a.dataQuality.map((q) => html`<span class="badge" title="${q.summary}">${q.signal}: ${q.kind}</span> `) : [html`<span class="muted">ok</span>`];
  return html`<tr data-device="${d.id}" data-risk="${a.risk}">
    <td><a href="/devices/${encodeURIComponent(d.id)}">${d.id}</a><div class="muted">${d.serial ?? ''}</div></td>
    <td>${healthBadge(a.health)}</td>
    <td class="num">${a.risk.toFixed(2)}<div class="muted">P50 ${soonest(d)}</div></td>
    <td>${d.site}</td>
    <td>${d.modality ?? '?'}<div class="muted hide-narrow">${d.vendor ?? ''} ${d.model ?? ''}</div></td>
    <td><span class="${d.online ? 'online' : 'offline'}">${d.online ? 'online' : 'offline'}</span><div class="muted">seen ${ago(d.lastSeen)}</div></td>
    <td>${alerts}</td>
    <td>${dq}</td>
    <td>${spark ?? html`<span class="muted">…</span>`}<div class="muted">${a.tellingSignal ?? ''}</div></td>
  </tr>`;
}

function render() {
  const shown = rank(devices).filter(visible);
  const focused = document.activeElement?.id;
  setMain(html`
    <h1>Fleet <span class="muted">${shown.length} of ${devices.length} devices, riskiest first</span></h1>
    <form class="filters" id="filters" role="search" aria-label="Filter devices">
      <label>Site <select name="site" aria-label="Site">${options(devices.map((d) => d.site), filters.site, 'all sites')}</select></label>
      <label>Modality <select name="modality" aria-label="Modality">${options(devices.map((d) => d.modality), filters.modality, 'all modalities')}</select></label>
      <label>Health <select name="health" aria-label="Health">${options(['ok', 'watch', 'at-risk', 'critical'], filters.health, 'any health')}</select></label>
      <label>Search id or serial <input name="q" id="q" type="search" value="${filters.q}" aria-label="Search by device id or serial"></label>
      <a href="/api/export/alerts.csv" download>Alerts CSV</a> <a href="/api/export/forecasts.csv" download>Forecasts CSV</a>
    </form>
    <table aria-label="Devices ranked by risk">
      <thead><tr><th scope="col">Device</th><th scope="col">Health</th><th scope="col">Risk</th><th scope="col">Site</th><th scope="col">Modality / model</th><th scope="col">Status</th><th scope="col">Open alerts</th><th scope="col">Data quality</th><th scope="col">Telling signal (24 h)</th></tr></thead>
      <tbody id="rows">${shown.map(row)}</tbody>
    </table>
    ${shown.length === 0 ? html`<p class="notice">No device matches these filters${devices.length === 0 ? ' (none has reported yet)' : ''}.</p>` : ''}`);
  const form = document.getElementById('filters');
  form.addEventListener('input', (e) => {
    filters[e.target.name] = e.target.value;
    const p = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    history.replaceState(null, '', p.toString() ? `?${p}` : location.pathname);
    render();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  if (focused) {
    const el = document.getElementById(focused);
    if (el) { el.focus(); if (el.setSelectionRange) el.setSelectionRange(el.value.length, el.value.length); }
  }
}

async function loadSpark(d) {
  const s = d.analysis.tellingSignal;
  if (!s) return;
  try {
    const r = await getJson(`/api/devices/${encodeURIComponent(d.id)}/signals/${encodeURIComponent(s)}?points=48`);
    sparks.set(d.id, sparkline(r.buckets, `${s} (${r.unit ?? ''}) over 24 h of ${d.id}`));
  } catch (e) { console.error(e); }
}

async function load(withSparks) {
  const r = await getJson('/api/devices');
  devices = r.devices;
  render();
  if (withSparks) {
    await Promise.all(devices.map(loadSpark));
    render();
  }
}

const refresh = throttle(() => load(false).catch(console.error), 1000);
const refreshSparks = throttle(() => load(true).catch(console.error), 15000);
load(true).catch((e) => setMain(html`<p class="error">Could not load the fleet: ${e.message}</p>`));
live(() => { refresh(); refreshSparks(); });
export { esc };
