// 居民随手拍 (mobile): report with photo and position, follow my reports (ListOrders,
// confined by workorder to my own), rate a closed one (RateOrder).
import { call, newRequestId } from '../api.js';
import { t, tn, STATE_NAMES } from '../i18n.js';
import { h, fmtTime, loadCategories, categoryName, toast, errorText } from '../util.js';
import { reportForm } from '../reportform.js';
import { photoStrip } from '../photos.js';

const W = 'gridwork.workorder.v1.WorkOrderService/';

export async function render(root) {
  const cats = await loadCategories();
  const list = h('div#rs-reports');
  root.append(
    h('div.mcard', h('h3', t('newReport')), await reportForm({ source: 'SOURCE_RESIDENT', onDone: () => load() })),
    h('div.mcard', h('h3', t('myReports'), h('button.link', { onclick: () => load() }, '↻')), list),
  );
  async function load() {
    const r = await call(`${W}ListOrders`, { filter: {}, page_size: 50 }).catch(() => ({}));
    const orders = r.orders || [];
    list.replaceChildren(...(orders.length ? orders.map((o) => {
      const box = h('div.task', { 'data-order': o.id },
        h('div', h('b', categoryName(cats, o.category_id)), h('span.badge.blue.rs-state', tn(STATE_NAMES, o.state))),
        h('div', o.description), h('div.muted', fmtTime(o.created_at)), photoStrip(o));
      if (o.state === 'STATE_CLOSED') {
        if (o.rating?.score) box.append(h('div.rs-rated', `${t('rated')} ${'★'.repeat(o.rating.score)}`));
        else box.append(rating(o));
      }
      return box;
    }) : [h('div.muted', t('none'))]));
  }
  function rating(o) {
    let score = 5;
    const stars = h('span.stars', [1, 2, 3, 4, 5].map((n) => h('button', {
      type: 'button', className: 'on',
      onclick: () => {
        score = n;
        [...stars.children].forEach((b, i) => b.classList.toggle('on', i < n));
      },
    }, '★')));
    const comment = h('input.rs-comment', { placeholder: t('comment') });
    return h('div.rs-rate', stars, comment, h('button.primary.rs-rate-submit', {
      onclick: async () => {
        try {
          await call(`${W}RateOrder`, { request_id: newRequestId(), order_id: o.id, expected_version: o.version, score, comment: comment.value });
          toast(t('rated'), 'ok');
          load();
        } catch (e) {
          toast(errorText(e), 'error');
        }
      },
    }, t('rate')));
  }
  await load();
}
