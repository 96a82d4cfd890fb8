// The work-order state machine as docs/workorder.md publishes it (services/workorder/
// transition_table.cc is the authority; the service refuses anything else). Used only to
// offer the buttons a role may press.
const T = [
  ['REPORTED', 'DISPATCH', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['REPORTED', 'ESCALATE', 'COMMUNITY_STATION ADMIN'],
  ['REPORTED', 'CANCEL', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['RETURNED', 'DISPATCH', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['RETURNED', 'ESCALATE', 'COMMUNITY_STATION ADMIN'],
  ['RETURNED', 'CANCEL', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['ESCALATED', 'DISPATCH', 'DISTRICT_COMMAND ADMIN'],
  ['ESCALATED', 'CANCEL', 'DISTRICT_COMMAND ADMIN'],
  ['DISPATCHED', 'ACCEPT', 'DEPARTMENT_HANDLER'],
  ['DISPATCHED', 'RETURN', 'DEPARTMENT_HANDLER'],
  ['DISPATCHED', 'DISPATCH', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['DISPATCHED', 'CANCEL', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['ACCEPTED', 'START', 'DEPARTMENT_HANDLER'],
  ['ACCEPTED', 'RETURN', 'DEPARTMENT_HANDLER'],
  ['ACCEPTED', 'SUSPEND', 'DEPARTMENT_HANDLER DISTRICT_COMMAND ADMIN'],
  ['PROCESSING', 'HANDLE', 'DEPARTMENT_HANDLER'],
  ['PROCESSING', 'SUSPEND', 'DEPARTMENT_HANDLER DISTRICT_COMMAND ADMIN'],
  ['SUSPENDED', 'RESUME', 'DEPARTMENT_HANDLER DISTRICT_COMMAND ADMIN'],
  ['HANDLED', 'ASSIGN_VERIFICATION', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN GRID_LEADER'],
  ['HANDLED', 'REJECT_HANDLING', 'COMMUNITY_STATION DISTRICT_COMMAND ADMIN'],
  ['VERIFYING', 'VERIFY_SATISFIED', 'GRID_WORKER GRID_LEADER'],
  ['VERIFYING', 'VERIFY_UNSATISFIED', 'GRID_WORKER GRID_LEADER'],
];
export const NEEDS_REASON = new Set(['RETURN', 'ESCALATE', 'SUSPEND', 'CANCEL', 'REJECT_HANDLING', 'VERIFY_UNSATISFIED']);
export const PHOTO_ACTIONS = new Set(['HANDLE', 'VERIFY_SATISFIED', 'VERIFY_UNSATISFIED']);

/** Actions (without the ACTION_ prefix) that `role` may take on an order in `state`. */
export function actionsFor(state, role) {
  const s = state.replace('STATE_', '');
  const r = role.replace('ROLE_', '');
  return T.filter(([from, , roles]) => from === s && roles.split(' ').includes(r)).map(([, a]) => a);
}

/** Kanban columns: the four main ones, then returned, escalated, suspended. */
export const COLUMNS = [
  { key: 'col_pending', states: ['STATE_REPORTED', 'STATE_DISPATCHED'] },
  { key: 'col_processing', states: ['STATE_ACCEPTED', 'STATE_PROCESSING'] },
  { key: 'col_review', states: ['STATE_HANDLED', 'STATE_VERIFYING'] },
  { key: 'col_closed', states: ['STATE_CLOSED'] },
  { key: 'col_returned', states: ['STATE_RETURNED'], minor: true },
  { key: 'col_escalated', states: ['STATE_ESCALATED'], minor: true },
  { key: 'col_suspended', states: ['STATE_SUSPENDED'], minor: true },
];
