// One alert: what each engine said and why (words and charts), the actions, and the audit trail.
import { html, raw, getJson, postJson, problem, sevBadge, stateBadge, when, num, live, throttle, setMain } from './common.js';
import { forecastChart, lineChart, rulBandSvg } from './charts.js';

const id = decodeURIComponent(location.pathname.split('/').pop());

const engineWords = {
  rules: 'Knowledge rules (deductive): a documented limit on a signal or an event pattern was passed.',
  physics: 'Physics (deductive, calibrated): a physical law fitted to this device\'s own data projects the signal to its failure threshold.',
  anomaly: 'Anomaly (inductive): the device\'s signals together moved away from what the learned model of healthy devices expects.',
  rul: 'Learned remaining useful life (inductive, fleet-level): a model fitted on run-to-failure histories puts the component\'s remaining life within the alert horizon.',
};

// The outcome of the last action, shown until the next one: the page redraws itself after an action and on live updates.
let lastOutcome = null;

async function render() {
  const [a, history] = await Promise.all([getJson(`/api/alerts/${encodeURIComponent(id)}`), getJson(`/api/alerts/${encodeURIComponent(id)}/history`)]);
  const open = a.state === 'open', closed = a.state === 'resolved' || a.state === 'false-alarm';
  const byEngine = {};
  for (const e of a.evidence) (byEngine[e.engine] ??= []).push(e);
  setMain(html`
    <h1>${a.component} on <a href="/devices/${encodeURIComponent(a.deviceId)}">${a.deviceId}</a> ${sevBadge(a.severity)} ${stateBadge(a.state)}</h1>
    <p class="muted">Alert ${a.id} · ${a.site} · ${a.modality} · group ${a.group} · fused confidence ${num(a.confidence)} · revision ${a.revision} · opened ${when(a.openedAt)}, updated ${when(a.updatedAt)} (event time)${a.acknowledgedBy ? html` · acknowledged by ${a.acknowledgedBy}` : ''}${closed ? html` · closed ${when(a.closedAt)} by ${a.closedBy ?? 'the system'}: ${a.closedReason ?? ''}` : ''}</p>

    <section aria-labelledby="act"><h2 id="act">Decide</h2>
      <form id="actions" class="stack">
        <label>Comment (why) <textarea name="comment" rows="2" maxlength="2000" aria-label="Comment"></textarea></label>
        <div class="actions">
          <button type="button" data-action="ack" ${open ? '' : 'disabled'}>Acknowledge</button>
          <button type="button" data-action="resolve" ${closed ? 'disabled' : ''}>Resolve</button>
          <button type="button" class="secondary" data-action="false-alarm" ${closed ? 'disabled' : ''}>False alarm</button>
        </div>
        <div id="act-msg" role="status" aria-live="polite" class="${lastOutcome?.className ?? ''}">${lastOutcome?.text ?? ''}</div>
      </form>
    </section>

    <section aria-labelledby="ev"><h2 id="ev">Evidence</h2>
      ${a.openedOn ? html`<p id="opened-on">Opened on: ${a.openedOn}</p>` : ''}
      ${Object.entries(byEngine).map(([engine, list]) => html`
        <article class="card" data-engine="${engine}"><h3>${engine}</h3><p class="muted">${engineWords[engine] ?? ''}</p>
        ${list.map((e, i) => html`<div>
          <p><strong>${e.source}</strong> on ${e.component}: ${e.summary} <span class="muted">(confidence ${num(e.confidence)}, ${e.severity}, since ${when(e.since)})</span></p>
          ${e.forecast && engine === 'rul' ? html`<p>Model <strong>${e.forecast.model}</strong>: remaining life P10 ${when(e.forecast.p10)} – P50 ${when(e.forecast.p50)} – P90 ${when(e.forecast.p90)} over ${e.forecast.points} daily rows.</p>
            <figure><div role="img" aria-label="Remaining life band P10 to P90 with P50">${raw(rulBandSvg({ p10Days: e.forecast.parameters.rulP10Days, p50Days: e.forecast.parameters.rulP50Days, p90Days: e.forecast.parameters.rulP90Days, horizonDays: e.forecast.parameters.horizonDays }))}</div></figure>` : ''}
          ${e.forecast && engine !== 'rul' ? html`<p>Law <strong>${e.forecast.model}</strong>; parameters ${Object.entries(e.forecast.parameters).map(([k, v]) => `${k} = ${Number(v).toPrecision(4)}`).join(', ')}; R² ${num(e.forecast.rSquared)} over ${e.forecast.points} points; threshold ${e.forecast.threshold} (${e.forecast.direction}); band P10 ${when(e.forecast.p10)} – P50 ${when(e.forecast.p50)} – P90 ${when(e.forecast.p90)}.</p>
            <figure><div id="fc-${engine}-${i}" role="img" aria-label="${e.forecast.signal} with the fitted trend to the threshold and the P10 to P90 band"></div></figure>` : ''}
          ${e.readings.length ? html`<table aria-label="Readings behind ${e.source}"><thead><tr><th scope="col">Reading</th><th scope="col">Value</th><th scope="col">When (event time)</th></tr></thead><tbody>${e.readings.map((r) => html`<tr><td>${r.name}</td><td class="num">${num(r.value, 3)}</td><td>${when(r.ts)}</td></tr>`)}</tbody></table>` : ''}
          ${engine === 'anomaly' && e.readings.length ? html`<figure><div id="an-${i}" role="img" aria-label="Anomaly readings over time"></div><figcaption>Top features and score as the engine reported them.</figcaption></figure>` : ''}
        </div>`)}</article>`)}
      ${a.evidence.length === 0 ? html`<p class="muted">No evidence is held any more.</p>` : ''}
    </section>

    <section aria-labelledby="au"><h2 id="au">Audit trail</h2>
      <table aria-label="Audit trail"><thead><tr><th scope="col">Wall time</th><th scope="col">Event time</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Why</th></tr></thead>
      <tbody id="audit">${history.entries.map((h) => html`<tr><td>${when(h.wallTime)}</td><td>${when(h.eventTime)}</td><td>${h.by}</td><td>${h.action}${h.from && h.from !== h.to ? html` (${h.from} → ${h.to})` : ''}</td><td>${h.comment ?? ''}</td></tr>`)}</tbody></table>
    </section>`);

  for (const [engine, list] of Object.entries(byEngine)) {
    for (const [i, e] of list.entries()) {
      if (e.forecast && engine !== 'rul') {
        const end = Date.parse(a.updatedAt) + 1;
        const r = await getJson(`/api/devices/${encodeURIComponent(a.deviceId)}/signals/${encodeURIComponent(e.forecast.signal)}?from=${end - 30 * 86400000}&to=${end}&points=300`);
        const el = document.getElementById(`fc-${engine}-${i}`);
        forecastChart(el, r.buckets, e.forecast, { unit: r.unit, width: Math.max(280, Math.min(640, el.parentElement.clientWidth - 20)) });
      }
      if (engine === 'anomaly' && e.readings.length) {
        lineChart(document.getElementById(`an-${i}`), e.readings.map((r) => r.ts), e.readings.map((r) => r.value), { label: 'score / feature' });
      }
    }
  }

  document.getElementById('actions').addEventListener('click', async (ev) => {
    const action = ev.target.dataset?.action;
    if (!action) return;
    const comment = new FormData(document.getElementById('actions')).get('comment');
    const res = await postJson(`/api/alerts/${encodeURIComponent(id)}/${action}`, comment ? { comment } : undefined);
    lastOutcome = { className: res.ok ? 'notice' : 'error', text: res.ok ? `Done: the alert is ${res.body.state}.` : `Not done: ${problem(res)}` };
    const msg = document.getElementById('act-msg');
    msg.className = lastOutcome.className;
    msg.textContent = lastOutcome.text;
    if (res.ok) setTimeout(() => render().catch(console.error), 300);
  });
}

render().catch((e) => setMain(html`<p class="error">Could not load alert ${id}: ${e.message}</p>`));
const refresh = throttle(() => { if (!document.activeElement || document.activeElement === document.body) render().catch(console.error); }, 2000);
live((type, data) => { if (type === 'alert' && data.id === id) refresh(); });
