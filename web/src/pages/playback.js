// 轨迹回放: pick a worker and a day; the track (GetTrack) is replayed with a time slider;
// stops and gaps (GetDaySummary), key-point check-ins (GetWorkerState visits) and the
// worker's reports (ListOrders by reporter) are marked on the line.
import L from '../plugins.js';
import { call, callAll, getSession } from '../api.js';
import { createBaseMap } from '../basemap.js';
import { t } from '../i18n.js';
import { h, fmtTime, dateInputValue, startOfDay, loadCategories, categoryName, toast, errorText } from '../util.js';

const LOC = 'gridwork.location.v1.LocationService/';

export async function render(root, { id }) {
  const scope = getSession().user.region_scope || '';
  const cats = await loadCategories();
  const workerSel = h('select#pb-worker');
  const dayInput = h('input#pb-day', { type: 'date', value: dateInputValue() });
  const stats = h('div.stats');
  const events = h('ul.events#pb-events');
  const mapEl = h('div.map#playback-map');
  const slider = h('input#pb-slider', { type: 'range', min: 0, max: 1000, value: 0 });
  const clock = h('span.clock#pb-clock', '--:--');
  const playBtn = h('button.primary#pb-play', t('play'));
  const speedSel = h('select#pb-speed', [60, 300, 1200].map((s) => h('option', { value: s, selected: s === 300 }, `${s}×`)));
  root.append(
    h('div.playback',
      h('div.side',
        h('div.box',
          h('label.form-row', t('worker'), workerSel),
          h('label.form-row', t('day'), dayInput),
          h('button.link#pb-last24', { onclick: () => ((dayInput.value = ''), load()) }, t('last24h')),
          h('button.primary#pb-load', { onclick: () => load() }, t('refresh'))),
        h('div.box', stats),
        h('div.box', h('h3', `${t('stops')} · ${t('gaps')} · ${t('checkIns')} · ${t('reports')}`), events)),
      h('div.mapwrap', mapEl, h('div.player', playBtn, speedSel, slider, clock)),
    ),
  );

  const base = await createBaseMap(mapEl, { focus: scope });
  const overlay = L.layerGroup().addTo(base.map);
  const head = L.marker([0, 0], { icon: L.divIcon({ className: 'track-head' }), zIndexOffset: 1000 });
  let points = [];
  let trail = null;
  let playing = false;
  let raf = 0;
  let tNow = 0;

  const workers = await call('gridwork.analytics.v1.AnalyticsService/ListLiveWorkers', { region_prefix: scope, page_size: 1000 })
    .then((r) => (r.workers || []).map((w) => w.worker_id)).catch(() => []);
  const ids = [...new Set([...(id ? [id] : []), ...workers])].sort();
  workerSel.replaceChildren(...ids.map((w) => h('option', { value: w }, w)));

  function setTime(ms) {
    if (!points.length) return;
    tNow = Math.max(points[0].t, Math.min(ms, points[points.length - 1].t));
    let i = 0;
    let lo = 0;
    let hi = points.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (points[mid].t <= tNow) (i = mid), (lo = mid + 1);
      else hi = mid - 1;
    }
    const a = points[i];
    const b = points[Math.min(i + 1, points.length - 1)];
    const f = b.t > a.t && b.t - a.t < 120000 ? (tNow - a.t) / (b.t - a.t) : 0;
    const pos = [a.ll[0] + (b.ll[0] - a.ll[0]) * f, a.ll[1] + (b.ll[1] - a.ll[1]) * f];
    head.setLatLng(pos);
    trail.setLatLngs(points.slice(0, i + 1).map((p) => p.ll).concat([pos]));
    const span = points[points.length - 1].t - points[0].t || 1;
    slider.value = String(Math.round(((tNow - points[0].t) / span) * 1000));
    clock.textContent = fmtTime(tNow, false);
    mapEl.dataset.progress = String(i);
  }
  slider.addEventListener('input', () => {
    if (!points.length) return;
    const span = points[points.length - 1].t - points[0].t;
    setTime(points[0].t + (span * Number(slider.value)) / 1000);
  });
  playBtn.addEventListener('click', () => {
    if (!points.length) return;
    playing = !playing;
    playBtn.textContent = t(playing ? 'pause' : 'play');
    if (tNow >= points[points.length - 1].t) setTime(points[0].t);
    let last = performance.now();
    const step = (now) => {
      if (!playing) return;
      setTime(tNow + (now - last) * Number(speedSel.value));
      last = now;
      if (tNow >= points[points.length - 1].t) {
        playing = false;
        playBtn.textContent = t('play');
        return;
      }
      raf = requestAnimationFrame(step);
    };
    raf = requestAnimationFrame(step);
  });

  let loadSeq = 0;
  async function load() {
    const seq = ++loadSeq;  // a newer load makes this one stop drawing
    playing = false;
    cancelAnimationFrame(raf);
    playBtn.textContent = t('play');
    overlay.clearLayers();
    events.replaceChildren();
    delete mapEl.dataset.worker;
    const worker = workerSel.value;
    if (!worker) return;
    // A day, or (date cleared, 近24小时) the last 24 hours.
    const start = dayInput.value ? startOfDay(new Date(`${dayInput.value}T00:00:00`)) : new Date(Date.now() - 86400000);
    const end = new Date(start.getTime() + 86400000);
    const range = { start_time: start.toISOString(), end_time: end.toISOString() };
    try {
      const track = await callAll(`${LOC}GetTrack`, { worker_id: worker, ...range, page_size: 5000 }, 'points');
      if (seq !== loadSeq) return;
      points = track.map((p) => ({ t: new Date(p.device_time).getTime(), ll: [p.position.lat, p.position.lng] }));
      const summary = await call(`${LOC}GetDaySummary`, { worker_id: worker, ...range }).catch(() => ({}));
      if (seq !== loadSeq) return;
      // Only silences between two fixes count: not the hours before the first or after the last.
      const first = points[0]?.t ?? 0;
      const lastT = points[points.length - 1]?.t ?? 0;
      summary.gaps = (summary.gaps || []).filter(
        (g) => new Date(g.start_time).getTime() >= first && new Date(g.end_time).getTime() <= lastT);
      stats.replaceChildren(
        h('div.stat', h('b', points.length), h('span', t('fixes'))),
        h('div.stat', h('b', `${((summary.distance_m || 0) / 1000).toFixed(2)} km`), h('span', t('distance'))),
        h('div.stat', h('b', (summary.stops || []).length), h('span', t('stops'))),
        h('div.stat', h('b', (summary.gaps || []).length), h('span', t('gaps'))),
      );
      if (!points.length) {
        events.append(h('li', t('noTrack')));
        mapEl.dataset.progress = '';
        return;
      }
      L.polyline(points.map((p) => p.ll), { color: '#94a3b8', weight: 4, opacity: 0.7 }).addTo(overlay);
      trail = L.polyline([], { color: '#1d6fd8', weight: 5 }).addTo(overlay);
      head.addTo(overlay);
      const item = (cls, text, ll) => {
        events.append(h(`li.${cls}`, { onclick: () => ll && base.map.setView(ll, 17) }, h(`i.pin.${cls}`), text));
      };
      for (const s of summary.stops || []) {
        const ll = [s.centroid.lat, s.centroid.lng];
        L.circleMarker(ll, { radius: 9, color: '#7c3aed', weight: 2, fillOpacity: 0.25 })
          .bindTooltip(`${t('stops')} ${fmtTime(s.start_time, false)}–${fmtTime(s.end_time, false)}`).addTo(overlay);
        item('stop', `${t('stops')} ${fmtTime(s.start_time, false)}–${fmtTime(s.end_time, false)}`, ll);
      }
      for (const g of summary.gaps || []) {
        const gs = new Date(g.start_time).getTime();
        const ge = new Date(g.end_time).getTime();
        const before = [...points].reverse().find((p) => p.t <= gs) || points[0];
        const after = points.find((p) => p.t >= ge) || points[points.length - 1];
        L.polyline([before.ll, after.ll], { color: '#ef4444', weight: 3, dashArray: '6 6' })
          .bindTooltip(`${t('gaps')} ${fmtTime(gs, false)}–${fmtTime(ge, false)}`).addTo(overlay);
        item('gap', `${t('gaps')} ${fmtTime(gs, false)}–${fmtTime(ge, false)}`, before.ll);
      }
      const state = await call('gridwork.geofence.v1.GeofenceService/GetWorkerState', { worker_id: worker }).catch(() => ({}));
      if (seq !== loadSeq) return;
      for (const v of (state.visits || []).filter((v) => v.checked_in)) {
        const at = new Date(v.first_inside).getTime();
        if (at < start.getTime() || at >= end.getTime()) continue;
        const kp = await call('gridwork.geofence.v1.GeofenceService/GetKeyPoint', { id: v.key_point_id }).catch(() => null);
        const ll = kp?.position ? [kp.position.lat, kp.position.lng] : null;
        if (ll) L.circleMarker(ll, { radius: 7, color: '#fff', weight: 2, fillColor: '#16a34a', fillOpacity: 1 }).bindTooltip(kp.name).addTo(overlay);
        item('checkin', `${t('checkIns')} ${fmtTime(at, false)} ${kp?.name || ''}`, ll);
      }
      const orders = await call('gridwork.workorder.v1.WorkOrderService/ListOrders', { filter: { reporter: worker }, page_size: 100 })
        .then((r) => r.orders || []).catch(() => []);
      if (seq !== loadSeq) return;
      for (const o of orders) {
        const at = new Date(o.created_at).getTime();
        if (at < start.getTime() || at >= end.getTime() || !o.position) continue;
        const ll = [o.position.lat, o.position.lng];
        L.circleMarker(ll, { radius: 6, color: '#fff', weight: 2, fillColor: '#e5484d', fillOpacity: 1 })
          .bindTooltip(`${categoryName(cats, o.category_id)} · ${o.description}`).addTo(overlay);
        item('report', `${t('reports')} ${fmtTime(at, false)} ${categoryName(cats, o.category_id)}`, ll);
      }
      base.map.fitBounds(L.latLngBounds(points.map((p) => p.ll)), { padding: [40, 40] });
      setTime(points[0].t);
      mapEl.dataset.worker = worker;  // loaded (tests wait for it)
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
  workerSel.addEventListener('change', load);
  dayInput.addEventListener('change', load);
  await load();
  return () => {
    playing = false;
    cancelAnimationFrame(raf);
    base.map.remove();
  };
}
