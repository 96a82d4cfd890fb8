// 数据驾驶舱: live worker map (online/offline, in/out of own grid), KPIs, coverage
// choropleth per grid, incident heatmap with a category filter, surges, overdue orders, the
// assessment leaderboard; drill down district → street → community → grid; live through
// StreamCockpit (SSE).
import L from '../plugins.js';
import { call, stream } from '../api.js';
import { createBaseMap, childOf } from '../basemap.js';
import { chart, disposeChart } from '../charts.js';
import { t, tn, STATE_NAMES } from '../i18n.js';
import { h, pct, fmtAge, loadCategories, categoryName, errorText } from '../util.js';
import { getSession } from '../api.js';

const A = 'gridwork.analytics.v1.AnalyticsService/';
const STATE_BY_NUMBER = Object.keys(STATE_NAMES);  // index + 1 = enum number

export async function render(root, { navigate }) {
  const scope = getSession().user.region_scope || '';
  let prefix = scope;
  const cats = await loadCategories();
  let category = '';
  const timers = [];
  let closeStream = null;

  const kpi = (id, label, cls = '') => h(`div.kpi${cls}`, h('div.kpi-value', { id: `kpi-${id}` }, '—'), h('div.kpi-label', label));
  const crumbs = h('div.crumbs');
  const liveDot = h('span.live-dot', t('live'));
  const catSelect = h(
    'select#heat-category',
    { onchange: () => ((category = catSelect.value), loadHeat()) },
    h('option', { value: '' }, t('allCategories')),
    [...cats.values()].filter((c) => !c.parent_id).map((c) => h('option', { value: c.id }, categoryName(cats, c.id))),
  );
  const toggles = {};
  const toggle = (key, label, on = true) => {
    const cb = h('input', { type: 'checkbox', checked: on, onchange: () => applyLayers() });
    toggles[key] = cb;
    return h('label.toggle', cb, label);
  };
  const mapEl = h('div.map#cockpit-map');
  const legend = h(
    'div.legend',
    h('span', h('i.dot.in'), t('inOwnGrid')),
    h('span', h('i.dot.out'), t('outOfGrid')),
    h('span', h('i.dot.off'), t('offline')),
    h('span.cov', t('coverage'), h('i.ramp'), '0–100%'),
  );
  const hourEl = h('div.chart#chart-hour');
  const stateEl = h('div.chart#chart-state');
  const surgeList = h('ul.list#surges');
  const overdueList = h('ul.list#overdue');
  const leaderList = h('ol.list.leader#leaderboard');
  const childTable = h('table.mini#children');

  root.append(
    h(
      'div.cockpit',
      h(
        'section.col.left',
        h('div.kpis', kpi('online', t('workersOnline'), '.big'), kpi('total', t('workersTotal')), kpi('ingrid', t('inOwnGrid')),
          kpi('coverage', t('coverage')), kpi('open', t('openOrders')), kpi('overdue', t('overdue'), '.warn'),
          kpi('reported', t('reportedToday')), kpi('closed', t('closedToday')), kpi('inspections', t('inspectionsToday'))),
        h('div.panel', h('h3', t('onlineByHour')), hourEl),
        h('div.panel', h('h3', t('ordersByState')), stateEl),
      ),
      h(
        'section.col.center',
        h('div.maptools', crumbs, h('div.spacer'), toggle('workers', t('workers')), toggle('coverage', t('choropleth')),
          toggle('heat', t('heatmap')), catSelect, liveDot),
        mapEl,
        legend,
        h('div.panel', h('h3', t('children'), h('small', ` · ${t('drillHint')}`)), childTable),
      ),
      h(
        'section.col.right',
        h('div.panel', h('h3', '⚠ ', t('surges')), surgeList),
        h('div.panel', h('h3', t('overdueOrders')), overdueList),
        h('div.panel', h('h3', t('leaderboard')), leaderList),
      ),
    ),
  );

  const base = await createBaseMap(mapEl, {
    focus: prefix,
    theme: 'dark',
    onRegionClick: (r) => {
      const child = childOf(prefix, r.id);
      if (child && base.regions.has(child)) drill(child);
    },
  });
  if (!prefix) prefix = [...base.regions.values()].find((r) => !base.regions.has(r.parent))?.id || '';
  const workerLayer = L.layerGroup().addTo(base.map);
  const heat = L.heatLayer([], { radius: 28, blur: 22, maxZoom: 16, minOpacity: 0.35 }).addTo(base.map);
  const hourChart = chart(hourEl, 'dark');
  const stateChart = chart(stateEl, 'dark');
  let coverage = new Map();

  function applyLayers() {
    const on = (k) => toggles[k].checked;
    if (on('workers')) workerLayer.addTo(base.map);
    else workerLayer.remove();
    if (on('heat')) heat.addTo(base.map);
    else heat.remove();
    // How many grids the choropleth paints (the browser test reads it).
    mapEl.dataset.coverageGrids = String(base.setGridStyle(on('coverage') ? gridFill : null));
  }
  function gridFill(id) {
    if (!id.startsWith(prefix)) return null;
    const c = coverage.get(id);
    if (!c) return null;  // not patrolled today: the plain map
    // red (little) → amber → green (all cells visited)
    const hue = Math.round(120 * Math.min(1, c));
    return { fillColor: `hsl(${hue}, 75%, 50%)`, fillOpacity: 0.55 };
  }

  function renderCrumbs() {
    const segs = prefix.split('/');
    crumbs.replaceChildren(
      ...segs.map((_, i) => {
        const id = segs.slice(0, i + 1).join('/');
        const r = base.regions.get(id);
        const last = i === segs.length - 1;
        return h(`a.crumb${last ? '.current' : ''}`, { onclick: () => !last && (scope.length <= id.length) && drill(id) }, r ? r.name : id);
      }),
    );
  }

  function drill(id) {
    prefix = id;
    base.fit(id, 30);
    renderCrumbs();
    reloadAll();
  }

  function renderCockpit(c) {
    const tot = c.total || {};
    const set = (id, v) => {
      const el = document.getElementById(`kpi-${id}`);
      if (el) el.textContent = v;
    };
    set('online', tot.workers_online ?? 0);
    set('total', tot.workers_total ?? 0);
    set('ingrid', tot.workers_in_own_grid ?? 0);
    set('coverage', pct(tot.coverage_today));
    set('open', tot.orders_open ?? 0);
    set('overdue', tot.orders_overdue ?? 0);
    set('reported', tot.orders_reported_today ?? 0);
    set('closed', tot.orders_closed_today ?? 0);
    const insp = c.inspections_today || {};
    set('inspections', `${insp.done ?? 0}/${insp.assigned ?? 0}`);
    const hours = c.online_by_hour || [];
    hourChart.setOption({
      backgroundColor: 'transparent',
      grid: { left: 30, right: 10, top: 10, bottom: 22 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: hours.map((_, i) => `${i}`), axisLabel: { fontSize: 10 } },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#233' } } },
      series: [{ type: 'bar', data: hours, itemStyle: { color: '#3fb6ff' } }],
    });
    const byState = Object.entries(c.orders_by_state || {}).filter(([, n]) => n > 0);
    stateChart.setOption({
      backgroundColor: 'transparent',
      tooltip: { trigger: 'item' },
      series: [{
        type: 'pie', radius: ['45%', '72%'], center: ['50%', '52%'],
        label: { color: '#cde', fontSize: 11 },
        data: byState.map(([k, n]) => ({ name: tn(STATE_NAMES, STATE_BY_NUMBER[Number(k) - 1]), value: n })),
      }],
    });
    const kids = c.children || [];
    childTable.replaceChildren(
      h('tr', h('th', t('region')), h('th', t('online')), h('th', t('coverage')), h('th', t('openOrders')), h('th', t('overdue'))),
      ...kids.map((k) =>
        h('tr', { onclick: () => base.regions.has(k.region_path) && drill(k.region_path) },
          h('td.link', base.regions.get(k.region_path)?.name || k.region_path),
          h('td', `${k.workers_online}/${k.workers_total}`), h('td', pct(k.coverage_today)),
          h('td', k.orders_open), h('td', { className: k.orders_overdue ? 'warn' : '' }, k.orders_overdue)),
      ),
    );
    const surges = c.surges || [];
    surgeList.replaceChildren(
      ...(surges.length
        ? surges.map((s) =>
            h('li.surge', h('b', base.regions.get(s.region_path)?.name || s.region_path), ' ',
              categoryName(cats, s.category_id),
              // ratio is 0 when there was nothing before (the service's convention): say so.
              h('span.badge.red', `${s.today} / ${s.trailing_average.toFixed(1)} ${s.trailing_average > 0 ? `×${s.ratio.toFixed(1)}` : t('surgeNew')}`)))
        : [h('li.empty', t('none'))]),
    );
  }

  async function loadCockpit() {
    renderCockpit(await call(`${A}GetCockpit`, { region_prefix: prefix }));
  }
  async function loadWorkers() {
    const r = await call(`${A}ListLiveWorkers`, { region_prefix: prefix, page_size: 1000 });
    workerLayer.clearLayers();
    const counts = { in: 0, out: 0, off: 0 };
    for (const w of r.workers || []) {
      if (!w.position) continue;
      const cls = !w.online ? 'off' : w.in_own_grid ? 'in' : 'out';
      counts[cls] += 1;
      const color = { in: '#1fd17a', out: '#ff9f1a', off: '#8a94a3' }[cls];
      L.circleMarker([w.position.lat, w.position.lng], {
        radius: 7, color: '#fff', weight: 2, fillColor: color, fillOpacity: 1, className: `worker-marker ${cls}`,
      })
        .bindTooltip(`${w.worker_id} · ${base.regions.get(w.grid_id)?.name || w.grid_id || ''}<br>${t(cls === 'in' ? 'inOwnGrid' : cls === 'out' ? 'outOfGrid' : 'offline')} · ${fmtAge(w.last_fix_time)}`)
        .addTo(workerLayer);
    }
    mapEl.dataset.workers = String((r.workers || []).length);
    Object.assign(mapEl.dataset, counts);
  }
  async function loadCoverage() {
    const r = await call(`${A}GetCoverage`, { region_prefix: prefix, page_size: 1000 });
    coverage = new Map((r.grids || []).map((g) => [g.grid_id, g.coverage || 0]));
    applyLayers();
  }
  async function loadHeat() {
    const r = await call(`${A}GetHeatmap`, { region_prefix: prefix, category_prefix: category });
    const cells = r.cells || [];
    const max = Math.max(1, ...cells.map((c) => c.count));
    heat.setLatLngs(cells.map((c) => [c.center.lat, c.center.lng, c.count / max]));
    mapEl.dataset.heatCells = String(cells.length);
  }
  async function loadOverdue() {
    const r = await call('gridwork.workorder.v1.WorkOrderService/ListOrders', {
      filter: { region_prefix: prefix, overdue_only: true }, page_size: 8,
    });
    const orders = r.orders || [];
    overdueList.replaceChildren(
      ...(orders.length
        ? orders.map((o) => h('li', { onclick: () => navigate(`/orders/${o.id}`) },
            h('span.badge.red', t('overdue')), ' ', categoryName(cats, o.category_id), h('small', ` ${o.description}`)))
        : [h('li.empty', t('none'))]),
    );
  }
  async function loadLeaders() {
    const r = await call(`${A}ListAssessment`, { region_prefix: prefix, page_size: 8 });
    const rows = r.rows || [];
    leaderList.replaceChildren(
      ...(rows.length
        ? rows.map((row) => h('li', h('span.rank', row.rank), h('span.name', row.worker_id),
            h('span.bar', h('i', { style: { width: `${Math.min(100, row.score)}%` } })), h('b', row.score.toFixed(1))))
        : [h('li.empty', t('none'))]),
    );
  }

  const safe = (fn) => () => fn().catch((e) => console.warn(fn.name, errorText(e)));
  function reloadAll() {
    safe(loadCockpit)();
    safe(loadWorkers)();
    safe(loadCoverage)();
    safe(loadHeat)();
    safe(loadOverdue)();
    safe(loadLeaders)();
    closeStream?.();
    closeStream = stream(`${A}StreamCockpit`, { region_prefix: prefix }, (c) => {
      if (c.region_prefix === prefix || !c.region_prefix) renderCockpit(c);
    }, (st) => {
      liveDot.className = `live-dot ${st === 'live' || st === 'open' ? 'on' : 'off'}`;
      liveDot.textContent = t(st === 'reconnecting' ? 'reconnecting' : 'live');
    });
  }
  renderCrumbs();
  reloadAll();
  timers.push(setInterval(safe(loadWorkers), 10000));
  timers.push(setInterval(safe(loadHeat), 30000));
  timers.push(setInterval(safe(loadCoverage), 60000));
  timers.push(setInterval(safe(loadOverdue), 30000));
  return () => {
    timers.forEach(clearInterval);
    closeStream?.();
    disposeChart(hourChart);
    disposeChart(stateChart);
    base.map.remove();
  };
}
