// 工单详情: facts, timeline (GetHistory), hash-chain verification (VerifyHistory), photos,
// position on the base map, and the actions the user's role may take in the order's state.
import L from '../plugins.js';
import { call, getSession, newRequestId } from '../api.js';
import { createBaseMap } from '../basemap.js';
import { actionsFor, NEEDS_REASON, PHOTO_ACTIONS } from '../workflow.js';
import { t, tn, STATE_NAMES, ACTION_NAMES, ROLE_NAMES } from '../i18n.js';
import { h, fmtTime, loadCategories, categoryName, toast, errorText } from '../util.js';
import { photoStrip, uploadPhoto } from '../photos.js';

const W = 'gridwork.workorder.v1.WorkOrderService/';

export async function render(root, { id, navigate }) {
  const user = getSession().user;
  const cats = await loadCategories();
  let base = null;

  async function draw() {
    const order = await call(`${W}GetOrder`, { order_id: id });
    const history = await call(`${W}GetHistory`, { order_id: id }).then((r) => r.events || []).catch(() => []);
    const verify = user.role === 'ROLE_RESIDENT' ? null
      : await call(`${W}VerifyHistory`, { order_id: id }).catch((e) => ({ intact: false, problem: errorText(e) }));
    root.replaceChildren();
    const mapEl = h('div.map#order-map');
    const actions = actionsFor(order.state, user.role);
    const form = h('div.action-form');
    root.append(
      h('div.title-row',
        h('button', { onclick: () => navigate('/orders') }, `← ${t('back')}`),
        h('h2', categoryName(cats, order.category_id)),
        h('span.badge.blue#order-state', tn(STATE_NAMES, order.state)),
        order.overdue ? h('span.badge.red', t('overdue')) : null,
        h('small.muted', order.id)),
      h('div.detail',
        h('div',
          h('div.box',
            h('dl.kv',
              h('dt', t('description')), h('dd', order.description || '—'),
              h('dt', t('reporter')), h('dd', `${order.reporter} (${tn(ROLE_NAMES, order.reporter_role)})`),
              h('dt', t('created')), h('dd', fmtTime(order.created_at)),
              h('dt', t('region')), h('dd', order.region_path),
              h('dt', t('department')), h('dd', order.department || '—'),
              h('dt', t('verifier')), h('dd', order.verifier || '—'),
              h('dt', t('deadline')), h('dd', order.stage_deadline ? fmtTime(order.stage_deadline) : '—'),
              order.rating ? [h('dt', t('rate')), h('dd', `${'★'.repeat(order.rating.score)} ${order.rating.comment || ''}`)] : null)),
          h('div.box', h('h3', t('actions')),
            actions.length
              ? h('div.actions#actions', actions.map((a) =>
                  h('button', { 'data-action': a, className: a.startsWith('VERIFY_UNSAT') || a === 'CANCEL' ? 'danger' : 'primary', onclick: () => openForm(order, a, form) },
                    tn(ACTION_NAMES, `ACTION_${a}`))))
              : h('div.muted#actions', t('none')),
            form),
          h('div.box', h('h3', t('photos')), photoStrip(order)),
        ),
        h('div',
          h('div.box', mapEl),
          verify ? h(`div.verify.${verify.intact ? 'ok' : 'bad'}#history-verify`,
            verify.intact ? `✔ ${t('historyIntact')} (${verify.length})` : `✘ ${t('historyBroken')}: ${verify.problem || ''}`) : null,
          h('div.box', h('h3', t('timeline')),
            h('ol.timeline#timeline', history.map((ev) =>
              h('li',
                h('div', h('b', tn(ACTION_NAMES, ev.action)), ' ',
                  ev.from_state && ev.from_state !== 'STATE_UNSPECIFIED' ? `${tn(STATE_NAMES, ev.from_state)} → ` : '',
                  tn(STATE_NAMES, ev.to_state)),
                h('div.when', `${fmtTime(ev.at)} · ${ev.actor} (${tn(ROLE_NAMES, ev.actor_role)})`,
                  ev.department ? ` · ${ev.department}` : '', ev.decided_by ? ` · ${ev.decided_by}` : ''),
                ev.note ? h('div', ev.note) : null,
                h('div.hash', `#${ev.seq} ${String(ev.hash || '').slice(0, 16)}…`))))),
        ),
      ),
    );
    base?.map.remove();
    base = await createBaseMap(mapEl, { focus: order.region_path });
    if (order.position) {
      const ll = [order.position.lat, order.position.lng];
      L.marker(ll).addTo(base.map);
      base.map.setView(ll, 15.5);
    }
  }

  function openForm(order, action, form) {
    const note = h('textarea#action-note', { placeholder: t('note') });
    const fields = [h('div', h('b', tn(ACTION_NAMES, `ACTION_${action}`)))];
    let dept = null;
    let verifier = null;
    let photo = null;
    if (action === 'DISPATCH') fields.push(h('label', t('department'), (dept = h('input#action-department', { placeholder: order.department || '' }))));
    if (action === 'ASSIGN_VERIFICATION') fields.push(h('label', t('verifier'), (verifier = h('input#action-verifier', { placeholder: 'wang-wei' }))));
    if (PHOTO_ACTIONS.has(action)) fields.push(h('label', t('photo'), (photo = h('input', { type: 'file', accept: 'image/*', capture: 'environment' }))));
    fields.push(note);
    const submit = h('button.primary#action-submit', {
      onclick: async () => {
        if (NEEDS_REASON.has(action) && !note.value.trim()) return toast(`${t('note')}?`, 'error');
        submit.disabled = true;
        try {
          const photos = photo?.files?.[0] ? [await uploadPhoto(photo.files[0])] : [];
          await call(`${W}Transition`, {
            request_id: newRequestId(),
            order_id: order.id,
            expected_version: order.version,
            action: `ACTION_${action}`,
            note: note.value.trim(),
            department: dept?.value.trim() || '',
            verifier: verifier?.value.trim() || '',
            photos,
          });
        } catch (e) {
          toast(errorText(e), 'error');
          submit.disabled = false;
          return;
        }
        toast(t('saved'), 'ok');
        // An order can leave the caller's view (a department returns it: it is no longer
        // theirs); then back to the board instead of an error.
        await draw().catch(() => navigate('/orders'));
      },
    }, t('submit'));
    form.replaceChildren(...fields, h('div.actions', submit, h('button', { onclick: () => form.replaceChildren() }, t('cancel'))));
  }

  await draw();
  return () => base?.map.remove();
}
