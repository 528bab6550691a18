// Device page: nameplate, key signals over a chosen range (downsampled on the server), forecasts with their
// band and threshold, the learned remaining-life band per component, data quality, model versions, maintenance
// (list, entry, CSV).
import { html, raw, getJson, postJson, problem, healthBadge, stateBadge, sevBadge, when, day, ago, num, live, throttle, setMain } from './common.js';
import { signalChart, forecastChart, rulBandSvg } from './charts.js';

const id = decodeURIComponent(location.pathname.split('/').pop());
const params = new URLSearchParams(location.search);
const RANGES = { '24h': 1, '7d': 7, '30d': 30 };
let range = params.get('range') ?? '24h';
let custom = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
const POINTS = 400;

function rangeOf(device) {
  const end = device.lastEventTime ? Date.parse(device.lastEventTime) + 1 : Date.now();
  if (range === 'custom' && custom.from && custom.to) return { from: Date.parse(custom.from), to: Date.parse(custom.to) };
  return { from: end - (RANGES[range] ?? 1) * 86400000, to: end };
}

/** Key signals: those behind forecasts and open alerts first, then one per component, at most eight. */
function keySignals(device, catalog) {
  const names = [];
  const add = (n) => { if (n && !names.includes(n) && device.latest[n]) names.push(n); };
  device.analysis.forecasts.forEach((f) => add(f.signal));
  device.analysis.dataQuality.forEach((q) => add(q.signal));
  const seen = new Set();
  for (const s of catalog?.signals ?? []) {
    if (!seen.has(s.component) && device.latest[s.name]) { seen.add(s.component); add(s.name); }
  }
  return names.slice(0, 8);
}

async function render() {
  const device = await getJson(`/api/devices/${encodeURIComponent(id)}`);
  const catalog = device.nameplate ? await getJson(`/api/catalog/${device.nameplate.modality}`).catch(() => null) : null;
  const { from, to } = rangeOf(device);
  const [alerts, maint, events] = await Promise.all([
    getJson(`/api/alerts?state=all&device=${encodeURIComponent(id)}`),
    getJson(`/api/devices/${encodeURIComponent(id)}/maintenance`),
    getJson(`/api/devices/${encodeURIComponent(id)}/events?from=${from}&to=${to}&limit=500`),
  ]);
  const a = device.analysis;
  const n = device.nameplate;
  const signals = keySignals(device, catalog);
  const sigDef = (s) => catalog?.signals.find((x) => x.name === s) ?? {};
  const components = catalog?.components ?? [];
  setMain(html`
    <h1>${device.id} ${healthBadge(a.health)} <span class="${device.online ? 'online' : 'offline'}">${device.online ? 'online' : 'offline'}</span></h1>
    <div class="cards">
      <section class="card" aria-labelledby="np"><h2 id="np">Nameplate</h2>
        <dl class="plate">
          <dt>Site</dt><dd>${device.site}</dd>
          <dt>Modality</dt><dd>${n?.modality ?? '?'}</dd>
          <dt>Vendor / model</dt><dd>${n?.vendor ?? ''} ${n?.model ?? ''}</dd>
          <dt>Serial</dt><dd>${n?.serial ?? '—'}</dd>
          <dt>Installed</dt><dd>${n?.installed ?? '—'}</dd>
          <dt>Software</dt><dd>${n?.software ?? '—'}</dd>
          <dt>Last seen</dt><dd>${ago(device.lastSeen)} <span class="muted">(wall time)</span></dd>
          <dt>Event time</dt><dd>${when(device.lastEventTime)} <span class="muted">(device clock)</span></dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="al"><h2 id="al">Open alerts</h2>
        ${a.openAlerts.length ? html`<ul>${a.openAlerts.map((x) => html`<li><a href="/alerts/${encodeURIComponent(x.id)}">${x.component}</a> ${sevBadge(x.severity)} ${stateBadge(x.state)} confidence ${num(x.confidence)}${x.p50 ? html`, P50 ${x.p50.slice(0, 10)}` : ''}</li>`)}</ul>` : html`<p class="muted">None.</p>`}
        <p class="muted">${alerts.count} alert(s) in all. </p>
      </section>
      <section class="card" aria-labelledby="dq"><h2 id="dq">Data quality</h2>
        ${a.dataQuality.length ? html`<ul>${a.dataQuality.map((q) => html`<li><strong>${q.kind}</strong> on ${q.signal} since ${when(q.since)}: ${q.summary}</li>`)}</ul>` : html`<p class="muted">No stuck, spiking or silent signal.</p>`}
      </section>
      <section class="card" aria-labelledby="mv"><h2 id="mv">Models in use</h2>
        <dl class="plate">${Object.entries(a.modelVersions).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      </section>
    </div>

    <h2 id="fc">Forecasts</h2>
    ${a.forecasts.length ? html`<div class="grid">${a.forecasts.map((f, i) => html`
      <figure data-forecast="${f.component}" aria-labelledby="fcap${i}">
        <div id="fchart${i}" role="img" aria-label="Forecast of ${f.signal} for ${f.component}: fitted ${f.model} trend reaching the threshold ${f.threshold} ${sigDef(f.signal).unit ?? ''} around ${f.p50.slice(0, 10)}, P10 ${f.p10.slice(0, 10)} to P90 ${f.p90.slice(0, 10)}"></div>
        <figcaption id="fcap${i}"><strong>${f.component}</strong>: ${f.signal} crosses the threshold ${f.threshold} ${sigDef(f.signal).unit ?? ''} (${f.direction}) at P50 <strong>${when(f.p50)}</strong>; band P10 ${when(f.p10)} – P90 ${when(f.p90)}. ${f.model}, R² ${num(f.rSquared)}, ${f.points} points.</figcaption>
      </figure>`)}</div>` : html`<p class="muted">No component is projected to reach a failure threshold.</p>`}

    <h2 id="rl">Remaining useful life (learned)</h2>
    ${(a.remainingLife ?? []).length ? html`<div class="grid">${a.remainingLife.map((r, i) => html`
      <figure data-rul="${r.component}" aria-labelledby="rcap${i}">
        <div role="img" aria-label="Remaining life of ${r.component}: P10 ${r.p10Days} days, P50 ${r.p50Days} days, P90 ${r.p90Days} days; alert horizon ${r.horizonDays} days">${raw(rulBandSvg(r))}</div>
        <figcaption id="rcap${i}"><strong>${r.component}</strong>: P50 <strong>${num(r.p50Days, 1)} d</strong> (${day(r.p50)}); band P10 ${num(r.p10Days, 1)} d – P90 ${num(r.p90Days, 1)} d, as of ${when(r.asOf)} over ${r.days} daily rows.
          ${r.near ? html`<strong class="sev-warning">Near</strong>: P10 within the ${r.horizonDays} d horizon, so it is evidence for fusion.` : html`Not near: P10 beyond the ${r.horizonDays} d horizon.`}
          Model <span class="rul-model">${r.model}</span>.</figcaption>
      </figure>`)}</div>` : html`<p class="muted">No learned RUL model covers this device${a.modelVersions.rul && a.modelVersions.rul !== 'no model' ? ' yet (it needs two complete days since the last repair)' : ''}.</p>`}

    <h2 id="sg">Signals</h2>
    <form class="filters" id="range" aria-label="Time range">
      <fieldset style="border:0;padding:0;display:flex;gap:.6rem;align-items:end;flex-wrap:wrap"><legend class="sr-only">Range</legend>
      ${Object.keys(RANGES).map((r) => html`<label><span>${r}</span><input type="radio" name="range" value="${r}" ${range === r ? 'checked' : ''} aria-label="Last ${r}"></label>`)}
      <label><span>custom</span><input type="radio" name="range" value="custom" ${range === 'custom' ? 'checked' : ''} aria-label="Custom range"></label>
      <label>From (UTC) <input type="datetime-local" name="from" value="${custom.from}" aria-label="From"></label>
      <label>To (UTC) <input type="datetime-local" name="to" value="${custom.to}" aria-label="To"></label>
      <button type="submit">Show</button>
      <a href="/api/devices/${encodeURIComponent(id)}/signals.csv?from=${from}&to=${to}" download>Signals CSV</a></fieldset>
    </form>
    <p class="legend">Line: mean per bucket; shaded around it: min–max; green band: normal range; <strong>E</strong> dashed: event; <strong>M</strong> solid: maintenance. ${when(new Date(from).toISOString())} – ${when(new Date(to).toISOString())}.</p>
    <div class="grid">${signals.map((s, i) => html`<figure><div id="schart${i}" role="img" aria-label="${s} (${sigDef(s).unit ?? ''}) over the chosen range, normal range ${sigDef(s).normalMin ?? '—'} to ${sigDef(s).normalMax ?? '—'}"></div><figcaption>${s} · ${sigDef(s).description ?? ''}</figcaption></figure>`)}</div>

    <h2 id="mt">Maintenance</h2>
    <form class="stack" id="maint" aria-labelledby="mt">
      <label>Component <select name="component" required aria-label="Component">${components.map((c) => html`<option value="${c.id}">${c.name} (${c.id})</option>`)}</select></label>
      <label>Action <select name="action" aria-label="Action"><option value="replaced">replaced</option><option value="repaired">repaired</option><option value="adjusted">adjusted</option><option value="no-fault-found">no fault found</option></select></label>
      <label>Date (UTC; empty = the device's time now) <input type="datetime-local" name="date" aria-label="Date"></label>
      <label>What was done <textarea name="text" rows="2" maxlength="2000" aria-label="What was done"></textarea></label>
      <div class="actions"><button type="submit">Record maintenance</button> <a href="/api/devices/${encodeURIComponent(id)}/maintenance.csv" download>Maintenance CSV</a></div>
      <div id="maint-msg" role="status" aria-live="polite"></div>
    </form>
    <table aria-label="Maintenance records"><thead><tr><th scope="col">When</th><th scope="col">Component</th><th scope="col">Action</th><th scope="col">Engineer</th><th scope="col">Text</th></tr></thead>
      <tbody>${maint.records.slice().reverse().map((r) => html`<tr><td>${when(r.ts)}</td><td>${r.component}</td><td>${r.action}</td><td>${r.engineer ?? ''}</td><td>${r.text ?? ''}</td></tr>`)}</tbody></table>
  `);

  const markers = [...events.events.map((e) => ({ ts: e.ts, kind: 'event' })), ...maint.records.map((r) => ({ ts: r.ts, kind: 'maintenance' }))];
  const width = (el) => Math.max(280, Math.min(640, el.parentElement.clientWidth - 20));
  await Promise.all(signals.map(async (s, i) => {
    const r = await getJson(`/api/devices/${encodeURIComponent(id)}/signals/${encodeURIComponent(s)}?from=${from}&to=${to}&points=${POINTS}`);
    const def = sigDef(s);
    const el = document.getElementById(`schart${i}`);
    signalChart(el, r.buckets, { label: s, unit: r.unit, normalMin: def.normalMin, normalMax: def.normalMax, markers, width: width(el) });
  }));
  await Promise.all(a.forecasts.map(async (f, i) => {
    const end = Date.parse(device.lastEventTime ?? f.computedAt) + 1;
    const r = await getJson(`/api/devices/${encodeURIComponent(id)}/signals/${encodeURIComponent(f.signal)}?from=${end - 30 * 86400000}&to=${end}&points=${POINTS}`);
    const el = document.getElementById(`fchart${i}`);
    forecastChart(el, r.buckets, f, { unit: r.unit, width: width(el) });
  }));

  document.getElementById('range').addEventListener('submit', (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    range = fd.get('range') ?? '24h';
    custom = { from: fd.get('from') ? `${fd.get('from')}Z` : '', to: fd.get('to') ? `${fd.get('to')}Z` : '' };
    const p = new URLSearchParams({ range });
    if (range === 'custom') { p.set('from', custom.from); p.set('to', custom.to); }
    history.replaceState(null, '', `?${p}`);
    render().catch(showError);
  });
  document.getElementById('maint').addEventListener('submit', async (e) => {
    e.preventDefault();
    const fd = new FormData(e.target);
    const body = { component: fd.get('component'), action: fd.get('action'), text: fd.get('text') || null };
    if (fd.get("date")) body.date = `${fd.get("date")}:00Z`;
    const res = await postJson(`/api/devices/${encodeURIComponent(id)}/maintenance`, body);
    const msg = document.getElementById('maint-msg');
    msg.className = res.ok ? 'notice' : 'error';
    msg.textContent = res.ok ? `Recorded: ${res.body.action} of ${res.body.component} by ${res.body.engineer}.` : `Not recorded: ${problem(res)}`;
    if (res.ok) setTimeout(() => render().catch(showError), 800);
  });
}

function showError(e) { setMain(html`<p class="error">Could not load ${id}: ${e.message}</p>`); }

render().catch(showError);
const refresh = throttle(() => { if (!document.activeElement || document.activeElement === document.body) render().catch(showError); }, 10000);
live((type, data) => { if ((data.devices ?? [data.deviceId]).includes(id)) refresh(); });
