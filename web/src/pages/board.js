// 工单看板: kanban columns 待受理 / 处理中 / 待审核 / 已办结 (+ 退回, 上报, 挂起) over
// ListOrders per column, overdue and due-soon badges, filters by region, category, overdue.
import { call, getSession } from '../api.js';
import { COLUMNS } from '../workflow.js';
import { t, tn, STATE_NAMES } from '../i18n.js';
import { h, fmtAge, loadCategories, categoryName, errorText, toast } from '../util.js';

const W = 'gridwork.workorder.v1.WorkOrderService/';

export async function render(root, { navigate }) {
  const cats = await loadCategories();
  const user = getSession().user;
  const region = h('input#f-region', { placeholder: `${t('region')} (410105/s01…)`, value: user.region_scope || '' });
  const catSel = h('select#f-category', h('option', { value: '' }, t('allCategories')),
    [...cats.values()].filter((c) => !c.parent_id).map((c) => h('option', { value: c.id }, categoryName(cats, c.id))));
  const overdue = h('input#f-overdue', { type: 'checkbox' });
  const text = h('input#f-text', { placeholder: t('search'), oninput: () => draw() });
  const summary = h('span.board-summary');
  const board = h('div.kanban#kanban');
  root.append(
    h('div.board-tools', region, catSel, h('label.toggle', overdue, t('overdueOnly')), text,
      h('button#refresh', { onclick: () => load() }, t('refresh')), summary),
    board,
  );
  [region, catSel, overdue].forEach((el) => el.addEventListener('change', () => load()));
  let columns = [];

  async function load() {
    const filter = {
      region_prefix: region.value.trim(),
      category_prefix: catSel.value,
      overdue_only: overdue.checked,
    };
    try {
      columns = await Promise.all(
        COLUMNS.map((c) =>
          call(`${W}ListOrders`, { filter: { ...filter, states: c.states }, page_size: 50 }).then((r) => r.orders || []),
        ),
      );
      let total = 0;
      let late = 0;
      columns.forEach((os) => os.forEach((o) => ((total += 1), (late += o.overdue ? 1 : 0))));
      summary.textContent = `${t('total')} ${total} · ${t('overdue')} ${late}`;
      draw();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  function draw() {
    const q = text.value.trim();
    board.replaceChildren(
      ...COLUMNS.map((c, i) => {
        const orders = (columns[i] || []).filter((o) => !q || o.description.includes(q) || o.id.includes(q));
        return h(`div.column${c.minor ? '.minor' : ''}`, { 'data-column': c.key },
          h('h3', t(c.key), h('span.count', orders.length)),
          orders.map((o) =>
            h(`div.card${o.overdue ? '.overdue' : o.due_soon ? '.duesoon' : ''}`,
              { 'data-order': o.id, onclick: () => navigate(`/orders/${o.id}`) },
              h('div.title', h('span', categoryName(cats, o.category_id)),
                o.overdue ? h('span.badge.red', t('overdue')) : o.due_soon ? h('span.badge.amber', '临期') : null,
                o.escalation_level ? h('span.badge.red', `督办${o.escalation_level}`) : null),
              h('div.desc', o.description || '—'),
              h('div.meta', h('span', tn(STATE_NAMES, o.state)), h('span', o.region_path.split('/').slice(-2).join('/')), h('span', fmtAge(o.created_at))),
            ),
          ),
        );
      }),
    );
  }
  await load();
  const timer = setInterval(load, 15000);
  return () => clearInterval(timer);
}
