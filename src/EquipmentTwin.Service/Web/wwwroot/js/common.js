// Shared helpers of the workbench pages: escaping, the public API, time formatting, the live stream.

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes any value for HTML text or attribute use. */
export const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]);

/** Marks trusted markup (built by this code, never from data) so html`` does not escape it. */
export class Raw { constructor(s) { this.s = s; } toString() { return this.s; } }
export const raw = (s) => new Raw(s);

/** Tagged template: every interpolated value is escaped unless it is Raw (or an array of Raw). */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((v, i) => {
    out += Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.s : esc(x))).join('') : v instanceof Raw ? v.s : esc(v);
    out += strings[i + 1];
  });
  return raw(out);
}

export async function getJson(path) {
  const r = await fetch(path, { headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** POSTs JSON; returns {ok, status, body}. Errors come back as problem details (detail / error). */
export async function postJson(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch { data = null; }
  return { ok: r.ok, status: r.status, body: data };
}

export const problem = (res) => (res.body && (res.body.detail || res.body.error)) || `HTTP ${res.status}`;

/** Event time as the device logged it, in UTC, to the minute. */
export const when = (iso) => (iso ? iso.replace('T', ' ').slice(0, 16) + ' UTC' : '—');
export const day = (iso) => (iso ? iso.slice(0, 10) : '—');

/** Wall-clock "how long ago" for last seen. */
export function ago(iso) {
  if (!iso) return 'never';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return `${Math.round(s)} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export const num = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(digits));

export const healthWords = { ok: 'up', watch: 'watch', 'at-risk': 'at risk', critical: 'critical' };
export const healthBadge = (h) => html`<span class="badge health-${h}">${healthWords[h] ?? h}</span>`;
export const stateBadge = (s) => html`<span class="badge state-${s}">${s.replace('-', ' ')}</span>`;
export const sevBadge = (s) => html`<span class="badge sev-${s}">${s}</span>`;

/** Small SVG line of a downsampled signal (means), with its range in the accessible name. */
export function sparkline(buckets, label, width = 140, height = 32) {
  if (!buckets || buckets.length < 2) return html`<span class="muted">no data</span>`;
  const xs = buckets.map((b) => Date.parse(b.ts));
  const ys = buckets.map((b) => b.mean);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x) => ((x - x0) / (x1 - x0 || 1)) * (width - 2) + 1;
  const sy = (y) => height - 1 - ((y - y0) / (y1 - y0 || 1)) * (height - 2);
  const pts = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join(' ');
  const name = `${label}: ${num(ys[0])} to ${num(ys[ys.length - 1])} (min ${num(y0)}, max ${num(y1)})`;
  return html`<svg class="spark" role="img" aria-label="${name}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${name}</title><polyline fill="none" stroke="#0b5cad" stroke-width="1.5" points="${pts}"/></svg>`;
}

/**
 * Opens the live stream; calls onEvent(type, data). Shows its state in the header. A headless browser that no
 * tool drives (a page snapshot such as `chromium --headless --dump-dom --virtual-time-budget`) waits for the
 * network to go idle before its clock moves, which an open stream never lets happen: there the stream opens
 * only after 20 s, once the snapshot has been taken.
 */
export function live(onEvent) {
  const status = document.getElementById('live');
  const snapshot = /HeadlessChrome/.test(navigator.userAgent) && !navigator.webdriver;
  status.textContent = 'loaded';
  setTimeout(() => {
    const es = new EventSource('/api/stream');
    es.onopen = () => { status.textContent = 'live'; };
    es.onerror = () => { status.textContent = 'reconnecting…'; };
    for (const type of ['devices', 'alert', 'twin']) {
      es.addEventListener(type, (e) => {
        status.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
        try { onEvent(type, JSON.parse(e.data)); } catch (err) { console.error(err); }
      });
    }
  }, snapshot ? 20000 : 0);
}

/** Calls fn at most once per `ms`, the last call winning. */
export function throttle(fn, ms) {
  let timer = null, again = false;
  return () => {
    if (timer) { again = true; return; }
    fn();
    timer = setTimeout(() => { timer = null; if (again) { again = false; fn(); } }, ms);
  };
}

export function setMain(markup) {
  document.getElementById('main').innerHTML = String(markup);
}
