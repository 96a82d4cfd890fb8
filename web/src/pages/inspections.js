// 检查巡查: the checklist catalogue, task assignment (grid leaders and managers: AssignTask)
// and results per subject with the failed items.
import { call, getSession, newRequestId } from '../api.js';
import { t } from '../i18n.js';
import { h, fmtTime, dateInputValue, toast, errorText } from '../util.js';

const I = 'gridwork.inspection.v1.InspectionService/';
const ASSIGNERS = ['ROLE_ADMIN', 'ROLE_DISTRICT_COMMAND', 'ROLE_STREET_MANAGER', 'ROLE_COMMUNITY_STATION', 'ROLE_GRID_LEADER'];
const TASK_STATE = { TASK_STATE_OPEN: ['进行中', 'amber'], TASK_STATE_DONE: ['已完成', 'green'], TASK_STATE_MISSED: ['已逾期', 'red'], TASK_STATE_CANCELLED: ['已取消', ''] };

export async function render(root) {
  const user = getSession().user;
  const scope = user.region_scope || '';
  const body = h('div');
  const tabs = ['catalogue', 'tasks', 'results'];
  const tabBar = h('div.tabs', tabs.map((k) => h(`button#tab-${k}`, { onclick: () => show(k) }, t(k))));
  root.append(tabBar, body);
  const checklists = await call(`${I}ListChecklists`, {}).then((r) => r.checklists || []).catch(() => []);
  const subjects = await call(`${I}ListSubjects`, { region_prefix: scope, page_size: 200 }).then((r) => r.subjects || []).catch(() => []);

  const names = new Map(checklists.map((c) => [c.template_id, c.name]));
  function show(k) {
    [...tabBar.children].forEach((b) => b.classList.toggle('on', b.id === `tab-${k}`));
    ({ catalogue, tasks, results })[k]();
  }

  function catalogue() {
    const showItems = (c) => items.replaceChildren(h('h3', c.name), h('p.muted', c.description || ''),
      h('ol', (c.items || []).map((it) => h('li', it.text, ' ', h('span.badge',
        it.answer_type === 'ANSWER_TYPE_NUMBER' ? `${it.min}–${it.max} ${it.unit}` : (it.severity || '').replace('SEVERITY_', ''))))));
    const items = h('div.box#in-items', h('span.muted', '←'));
    body.replaceChildren(h('div.grid2',
      h('div.box', h('table.table#in-catalogue',
        h('tr', h('th', t('checklist')), h('th', t('department')), h('th', '版本'), h('th', '条目')),
        checklists.map((c) => h('tr', { onclick: () => showItems(c) },
          h('td', h('b', c.name), h('div.muted', c.template_id)), h('td', c.department), h('td', `v${c.version}`), h('td', (c.items || []).length))))),
      items));
  }

  async function tasks() {
    const list = h('table.table#in-tasks');
    const form = ASSIGNERS.includes(user.role) ? assignForm(() => load()) : null;
    body.replaceChildren(h('div.grid2', h('div.box', list), form ? h('div.box', h('h3', t('assign')), form) : h('div')));
    async function load() {
      const r = await call(`${I}ListTasks`, { region_prefix: scope, page_size: 100 }).catch((e) => (toast(errorText(e), 'error'), {}));
      list.replaceChildren(h('tr', h('th', t('subject')), h('th', t('checklist')), h('th', t('assignee')), h('th', t('due')), h('th', t('state'))),
        ...(r.tasks || []).map((k) => h('tr', h('td', k.subject_name || k.subject_id), h('td', names.get(k.template_id) || k.template_id), h('td', k.assignee),
          h('td', fmtTime(k.due_at)), h('td', h(`span.badge.${TASK_STATE[k.state]?.[1] || ''}`, TASK_STATE[k.state]?.[0] || k.state)))));
    }
    await load();
  }

  function assignForm(after) {
    const tpl = h('select#in-template');
    // Only the checklists written for the chosen subject's type.
    const fillTemplates = () => {
      const type = subjects.find((x) => x.id === subj.value)?.type;
      tpl.replaceChildren(...checklists.filter((c) => !type || !c.subject_types?.length || c.subject_types.includes(type))
        .map((c) => h('option', { value: c.template_id }, c.name)));
    };
    const subj = h('select#in-subject', { onchange: fillTemplates },
      subjects.map((s) => h('option', { value: s.id }, `${s.name} (${s.region_path})`)));
    fillTemplates();
    const who = h('input#in-assignee', { placeholder: 'wang-wei' });
    const due = h('input#in-due', { type: 'date', value: dateInputValue(new Date(Date.now() + 86400000)) });
    return h('div.mform',
      h('label', t('subject'), subj), h('label', t('checklist'), tpl), h('label', t('assignee'), who), h('label', t('due'), due),
      h('button.primary#in-assign', {
        onclick: async () => {
          try {
            await call(`${I}AssignTask`, { request_id: newRequestId(), subject_id: subj.value, template_id: tpl.value,
              assignee: who.value.trim(), due_at: new Date(`${due.value}T23:59:00`).toISOString() });
            toast(t('saved'), 'ok');
            after();
          } catch (e) {
            toast(errorText(e), 'error');
          }
        },
      }, t('assign')));
  }

  function results() {
    const out = h('div.box#in-results', h('span.muted', '←'));
    body.replaceChildren(h('div.grid2',
      h('div.box', h('table.table#in-subjects', h('tr', h('th', t('subject')), h('th', t('region')), h('th', '最近检查')),
        subjects.map((s) => h('tr', { onclick: () => load(s) }, h('td', s.name), h('td', s.region_path), h('td', fmtTime(s.last_inspected_at)))))),
      out));
    async function load(s) {
      const r = await call(`${I}ListResults`, { subject_id: s.id, page_size: 20 }).catch((e) => (toast(errorText(e), 'error'), {}));
      const cl = new Map(checklists.map((c) => [c.template_id, c]));
      out.replaceChildren(h('h3', s.name), ...((r.results || []).length ? r.results.map((res) => {
        const items = new Map((cl.get(res.template_id)?.items || []).map((it) => [it.code, it.text]));
        const failed = (res.answers || []).filter((a) => a.outcome === 'OUTCOME_PROBLEM');
        return h('div.task',
          h('div', h('b', fmtTime(res.submitted_at)), ' ', res.inspector, ' ',
            failed.length ? h('span.badge.red', `${t('failedItems')} ${failed.length}`) : h('span.badge.green', t('outcomeOk')),
            res.presence?.status === 'STATUS_VERIFIED' ? h('span.badge.green', '到场核验') : h('span.badge.amber', res.presence?.status?.replace('STATUS_', '') || '')),
          failed.map((a) => h('div.issue', items.get(a.item_code) || a.item_code, a.work_order_id ? h('small', ` → ${a.work_order_id}`) : '')));
      }) : [h('div.muted', t('none'))]));
    }
  }
  show('catalogue');
}
