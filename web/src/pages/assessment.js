// 考核评价: per-worker scores (ListAssessment) with the breakdown and a weekly trend, CSV
// export (ExportAssessmentCsv over SSE).
import { call, getSession, downloadCsv } from '../api.js';
import { chart, disposeChart } from '../charts.js';
import { t } from '../i18n.js';
import { h, dateInputValue, toast, errorText } from '../util.js';

const A = 'gridwork.analytics.v1.AnalyticsService/';
const COMPONENT = {
  patrol_distance: '巡查里程', own_grid_time: '在岗时长', coverage: '覆盖率', check_ins: '签到',
  inspections: '检查任务', incidents: '事件上报', verifications: '核查', response: '响应时效',
};

export async function render(root) {
  const scope = getSession().user.region_scope || '';
  const monthStart = new Date();
  monthStart.setDate(1);
  const from = h('input#as-from', { type: 'date', value: dateInputValue(monthStart) });
  const to = h('input#as-to', { type: 'date', value: dateInputValue(new Date(Date.now() + 86400000)) });
  const region = h('input#as-region', { value: scope, placeholder: t('region') });
  const table = h('table.table#as-table');
  const detail = h('div#as-detail');
  const breakdownEl = h('div.chart.light#as-breakdown');
  const trendEl = h('div.chart.light#as-trend');
  root.append(
    h('div.board-tools', region, t('from'), from, t('to'), to, h('button', { onclick: () => load() }, t('refresh')),
      h('button.primary#as-export', { onclick: () => exportCsv() }, t('exportCsv'))),
    h('div.grid2', h('div.box', table), h('div', h('div.box', detail, h('h3', t('breakdown')), breakdownEl), h('div.box', h('h3', t('trend')), trendEl))),
  );
  const bd = chart(breakdownEl);
  const tr = chart(trendEl);
  const window = () => ({ region_prefix: region.value.trim(), from: new Date(`${from.value}T00:00:00`).toISOString(), to: new Date(`${to.value}T00:00:00`).toISOString() });

  async function load() {
    try {
      const r = await call(`${A}ListAssessment`, { ...window(), page_size: 200 });
      const rows = r.rows || [];
      table.replaceChildren(
        h('tr', h('th', t('rank')), h('th', t('worker')), h('th', t('region')), h('th', t('score')), h('th', t('distance')), h('th', t('coverage'))),
        ...rows.map((row) => {
          const tr_ = h('tr', { onclick: () => (table.querySelectorAll('tr').forEach((x) => x.classList.remove('sel')), tr_.classList.add('sel'), show(row)) },
            h('td', row.rank), h('td', row.worker_id), h('td', row.grid_id), h('td', h('b', row.score.toFixed(1))),
            h('td', `${(row.figures?.distance_km || 0).toFixed(1)} km`), h('td', `${Math.round((row.figures?.coverage_avg || 0) * 100)}%`));
          return tr_;
        }),
      );
      if (rows.length) show(rows[0]);
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
  async function show(row) {
    const f = row.figures || {};
    detail.replaceChildren(h('h3', `${row.worker_id} · ${row.score.toFixed(1)} 分 · 第${row.rank}名`),
      h('div.stats',
        h('div.stat', h('b', f.working_days || 0), h('span', '出勤天数')),
        h('div.stat', h('b', (f.own_grid_hours || 0).toFixed(1)), h('span', '在岗小时')),
        h('div.stat', h('b', `${f.check_ins || 0}`), h('span', t('checkIns'))),
        h('div.stat', h('b', `${f.incidents_reported || 0}/${f.incidents_confirmed || 0}`), h('span', '上报/确认'))));
    const comps = row.breakdown || [];
    bd.setOption({
      grid: { left: 80, right: 30, top: 10, bottom: 20 },
      tooltip: {},
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: comps.map((c) => COMPONENT[c.name] || c.name) },
      series: [
        { type: 'bar', name: '满分', data: comps.map((c) => c.weight), itemStyle: { color: '#e3e8ef' }, barGap: '-100%' },
        { type: 'bar', name: t('score'), data: comps.map((c) => +c.points.toFixed(2)), itemStyle: { color: '#1d6fd8' } },
      ],
    });
    // Weekly trend: the same worker's score in each of the last six weeks.
    const weeks = [];
    const end = new Date(`${to.value}T00:00:00`);
    for (let i = 5; i >= 0; i--) weeks.push([new Date(end - (i + 1) * 7 * 86400000), new Date(end - i * 7 * 86400000)]);
    const scores = await Promise.all(weeks.map(([a, b]) =>
      call(`${A}ListAssessment`, { region_prefix: row.grid_id, from: a.toISOString(), to: b.toISOString(), page_size: 50 })
        .then((r) => (r.rows || []).find((x) => x.worker_id === row.worker_id)?.score ?? 0).catch(() => 0)));
    tr.setOption({
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: weeks.map(([, b]) => `${b.getMonth() + 1}/${b.getDate()}`) },
      yAxis: { type: 'value', max: 100 },
      series: [{ type: 'line', data: scores.map((s) => +s.toFixed(1)), smooth: true, areaStyle: { opacity: 0.15 }, itemStyle: { color: '#1d6fd8' } }],
    });
  }
  async function exportCsv() {
    try {
      // The window shown is the window exported (the gateway takes Timestamps as query parameters).
      const blob = await downloadCsv(`${A}ExportAssessmentCsv`, window(), `assessment-${from.value}-${to.value}.csv`);
      toast(`${t('exportCsv')} ✔ ${blob.size} B`, 'ok');
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
  await load();
  return () => (disposeChart(bd), disposeChart(tr));
}
