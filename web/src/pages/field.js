// 网格员工作台 (mobile): my grid and whether I am in it (browser geolocation + geofence
// Locate), check in (the position goes to location IngestFixes; key-point check-ins follow
// from dwell), today's inspection tasks with the checklist form, incident report with a photo.
import L from '../plugins.js';
import { call, getSession, newRequestId } from '../api.js';
import { createBaseMap } from '../basemap.js';
import { t } from '../i18n.js';
import { h, locate, fmtTime, toast, errorText } from '../util.js';
import { reportForm } from '../reportform.js';
import { uploadPhoto } from '../photos.js';

const I = 'gridwork.inspection.v1.InspectionService/';

export async function render(root, { navigate }) {
  const me = getSession().user.username;
  const pill = h('span.status-pill.unknown#fd-status', t('locating'));
  const mapEl = h('div.map#field-map');
  const tasksBox = h('div#fd-tasks');
  const checkBox = h('div#fd-checklist');
  const visitsBox = h('div.muted#fd-visits');
  const checkInBtn = h('button.primary.bigbtn#fd-checkin', `◉ ${t('checkIn')}`);
  const lastReport = h('div.muted#fd-last-report');
  // The order just reported, with a link to follow it on the board.
  const showReport = (order) => {
    if (!order) return;
    lastReport.dataset.order = order.id;
    lastReport.replaceChildren(`${t('reportSent')}: `,
      h('a', { href: `/orders/${order.id}`, onclick: (e) => (e.preventDefault(), navigate(`/orders/${order.id}`)) }, order.id));
  };
  root.append(
    h('div.mcard', h('h3', t('myGrid'), pill), mapEl, visitsBox, h('div', { style: { marginTop: '8px' } }, checkInBtn)),
    h('div.mcard', h('h3', t('todayTasks')), tasksBox, checkBox),
    h('div.mcard', h('h3', t('report')), await reportForm({ source: 'SOURCE_PATROL', onDone: showReport }), lastReport),
  );

  const bindings = await call('gridwork.geofence.v1.GeofenceService/ListBindings', { worker_id: me }).then((r) => r.bindings || []).catch(() => []);
  const myGrid = bindings[0]?.grid_id || getSession().user.region_scope;
  const base = await createBaseMap(mapEl, { focus: myGrid });
  base.layers.get(myGrid)?.setStyle({ color: '#1d6fd8', weight: 3, fillColor: '#1d6fd8', fillOpacity: 0.08, dashArray: null });
  let meMarker = null;
  let lastPos = null;

  async function whereAmI() {
    try {
      const p = await locate();
      lastPos = p;
      const ll = [p.lat, p.lng];
      meMarker = meMarker || L.circleMarker(ll, { radius: 8, color: '#fff', weight: 3, fillColor: '#1d6fd8', fillOpacity: 1 }).addTo(base.map);
      meMarker.setLatLng(ll);
      const r = await call('gridwork.geofence.v1.GeofenceService/Locate', { position: { lat: p.lat, lng: p.lng } });
      const inside = r.found && r.region?.id === myGrid;
      pill.className = `status-pill ${inside ? 'in' : 'out'}`;
      pill.textContent = inside ? `✔ ${t('inGrid')}` : `✘ ${t('notInGrid')}${r.region?.name ? ` (${r.region.name})` : ''}`;
    } catch {
      pill.className = 'status-pill unknown';
      pill.textContent = t('gpsDenied');
    }
  }
  async function loadVisits() {
    const s = await call('gridwork.geofence.v1.GeofenceService/GetWorkerState', { worker_id: me }).catch(() => null);
    const n = (s?.visits || []).filter((v) => v.checked_in).length;
    visitsBox.textContent = s ? `${t('checkIns')}: ${n} · ${s.last_fix_time ? fmtTime(s.last_fix_time) : ''}` : '';
  }
  checkInBtn.addEventListener('click', async () => {
    await whereAmI();
    if (!lastPos) return;
    try {
      const seq = Date.now();
      const ack = await call('gridwork.location.v1.LocationService/IngestFixes', {
        batch_id: String(seq), worker_id: me, device_id: `web-${me}`,
        fixes: [{ sequence: String(seq), device_time: new Date().toISOString(), position: { lat: lastPos.lat, lng: lastPos.lng },
          accuracy_m: Math.min(lastPos.accuracy || 10, 50), provider: 'PROVIDER_GPS' }],
      });
      toast(ack.accepted ? `${t('checkIn')} ✔` : `${t('checkIn')}: ${ack.rejections?.[0]?.reason || ack.error}`, ack.accepted ? 'ok' : 'error');
      loadVisits();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  });

  async function loadTasks() {
    const r = await call(`${I}ListTasks`, { assignee: me, states: ['TASK_STATE_OPEN'], page_size: 50 }).catch(() => ({}));
    const tasks = r.tasks || [];
    tasksBox.replaceChildren(...(tasks.length ? tasks.map((task) =>
      h('div.task', h('b', task.subject_name || task.subject_id), h('div.muted', `${task.template_id} · ${t('due')} ${fmtTime(task.due_at)}`),
        h('button.fd-open-task', { onclick: () => openChecklist(task) }, t('checklist'))))
      : [h('div.muted', t('none'))]));
  }
  async function openChecklist(task) {
    const cl = await call(`${I}GetChecklist`, { template_id: task.template_id, version: task.template_version });
    const inputs = [];
    // Items restricted to other subject types are not asked (the service refuses them).
    const applies = (it) => !it.subject_types?.length || it.subject_types.includes(task.subject_type);
    const items = (cl.items || []).filter(applies).map((it) => {
      let field;
      if (it.answer_type === 'ANSWER_TYPE_NUMBER') field = h('input', { type: 'number', placeholder: it.unit || '' });
      else if (it.answer_type === 'ANSWER_TYPE_TEXT') field = h('input', { type: 'text' });
      else {
        const name = `o-${it.code}`;
        field = h('span.seg', ['OUTCOME_OK', 'OUTCOME_PROBLEM', 'OUTCOME_NOT_APPLICABLE'].map((o, i) =>
          h('label', h('input', { type: 'radio', name, value: o, checked: i === 0 }), h('span', t(['outcomeOk', 'outcomeProblem', 'outcomeNa'][i])))));
      }
      const photo = it.answer_type === 'ANSWER_TYPE_CHECK'
        ? h('input.ck-photo', { type: 'file', accept: 'image/*', capture: 'environment', title: t('photo') }) : null;
      inputs.push({ it, field, photo });
      return h('div.check-item', h('div', it.text, it.photo_required_on_problem ? h('span.badge.amber', '问题需拍照') : null), field,
        photo ? h('label.muted', ' ', photo) : null);
    });
    const submit = h('button.primary.bigbtn#fd-submit-result', {
      onclick: async () => {
        try {
          const answers = [];
          for (const { it, field, photo } of inputs) {
            if (it.answer_type === 'ANSWER_TYPE_NUMBER') answers.push({ item_code: it.code, number: Number(field.value || 0) });
            else if (it.answer_type === 'ANSWER_TYPE_TEXT') answers.push({ item_code: it.code, text: field.value });
            else {
              const photos = photo?.files?.[0] ? [await uploadPhoto(photo.files[0], lastPos && { lat: lastPos.lat, lng: lastPos.lng })] : [];
              answers.push({ item_code: it.code, outcome: field.querySelector('input:checked').value, photos });
            }
          }
          const r = await call(`${I}SubmitResult`, { request_id: newRequestId(), task_id: task.id, subject_id: task.subject_id,
            template_id: task.template_id, template_version: task.template_version, answers });
          toast(`${t('done')} · ${t('failedItems')} ${r.problem_count || 0}`, 'ok');
          checkBox.replaceChildren();
          loadTasks();
        } catch (e) {
          toast(errorText(e), 'error');
        }
      },
    }, t('submit'));
    checkBox.replaceChildren(h('h3', cl.name), ...items, submit);
  }
  whereAmI();
  loadVisits();
  loadTasks();
  return () => base.map.remove();
}
