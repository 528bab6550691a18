// Alert queue across the fleet: open, acknowledged, recently closed.
import { html, getJson, sevBadge, stateBadge, when, num, live, throttle, setMain } from './common.js';

const tabs = { open: 'Open', acknowledged: 'Acknowledged', closed: 'Recently closed' };
let tab = new URLSearchParams(location.search).get('tab') ?? 'open';
if (!tabs[tab]) tab = 'open';

async function render() {
  const r = await getJson(`/api/alerts?state=${tab}`);
  // "open" on the API includes acknowledged ones; the Open tab shows the ones nobody has taken yet.
  let list = tab === 'open' ? r.alerts.filter((a) => a.state === 'open') : r.alerts;
  if (tab === 'closed') list = list.sort((a, b) => (b.closedAt ?? '').localeCompare(a.closedAt ?? '')).slice(0, 100);
  setMain(html`
    <h1>Alerts</h1>
    <nav class="tabs" aria-label="Alert queues">${Object.entries(tabs).map(([k, v]) => html`<a href="?tab=${k}" ${k === tab ? html`aria-current="page"` : ''}>${v}</a>`)}</nav>
    <p><a href="/api/export/alerts.csv" download>All alerts as CSV</a></p>
    <table aria-label="${tabs[tab]} alerts">
      <thead><tr><th scope="col">Alert</th><th scope="col">Device</th><th scope="col">Component</th><th scope="col">Severity</th><th scope="col">State</th><th scope="col">Confidence</th><th scope="col">Engines</th><th scope="col">P50 crossing</th><th scope="col">Opened (event time)</th>${tab === 'closed' ? html`<th scope="col">Closed</th>` : ''}</tr></thead>
      <tbody>${list.map((a) => html`<tr data-alert="${a.id}">
        <td><a href="/alerts/${encodeURIComponent(a.id)}">${a.id}</a></td>
        <td><a href="/devices/${encodeURIComponent(a.deviceId)}">${a.deviceId}</a> <span class="muted">${a.site}</span></td>
        <td>${a.component}</td><td>${sevBadge(a.severity)}</td><td>${stateBadge(a.state)}</td>
        <td class="num">${num(a.confidence)}</td><td>${a.engines.join(', ')}</td>
        <td>${a.forecast ? when(a.forecast.p50) : '—'}</td><td>${when(a.openedAt)}</td>
        ${tab === 'closed' ? html`<td>${when(a.closedAt)} <span class="muted">${a.closedReason ?? ''}</span></td>` : ''}</tr>`)}</tbody>
    </table>
    ${list.length === 0 ? html`<p class="muted">No alert here.</p>` : ''}`);
}

render().catch((e) => setMain(html`<p class="error">${e.message}</p>`));
const refresh = throttle(() => render().catch(console.error), 1000);
live((type) => { if (type === 'alert') refresh(); });
