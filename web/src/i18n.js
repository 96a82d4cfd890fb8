// A small translation table: Chinese first, English switchable (stored in localStorage).
const zh = {
  app: '网格化社会治理平台', login: '登录', username: '用户名', password: '密码', logout: '退出',
  loginFailed: '登录失败', cockpit: '数据驾驶舱', board: '工单看板', playback: '轨迹回放',
  fence: '网格编辑', inspections: '检查巡查', assessment: '考核评价', field: '网格员工作台',
  resident: '居民随手拍', onlineToday: '今日在线', workersOnline: '在线网格员', workersTotal: '网格员总数',
  inOwnGrid: '在岗(本网格内)', outOfGrid: '离开网格', offline: '离线', online: '在线',
  coverage: '巡查覆盖率', openOrders: '在办工单', overdue: '超期', reportedToday: '今日上报',
  closedToday: '今日办结', heatmap: '事件热力', allCategories: '全部类别', surges: '事件激增预警',
  overdueOrders: '超期工单', leaderboard: '考核排行', onlineByHour: '分时在线人数', ordersByState: '工单状态分布',
  children: '下级区域', region: '区域', drillHint: '点击地图区域下钻', live: '实时', reconnecting: '重连中',
  none: '暂无', layers: '图层', workers: '网格员', choropleth: '覆盖率分布', inspectionsToday: '今日检查',
  col_pending: '待受理', col_processing: '处理中', col_review: '待审核', col_closed: '已办结',
  col_returned: '退回', col_escalated: '上报', col_suspended: '挂起', filters: '筛选', category: '类别',
  overdueOnly: '只看超期', refresh: '刷新', search: '搜索', orderDetail: '工单详情', timeline: '办理过程',
  photos: '照片', actions: '可执行操作', historyIntact: '留痕校验通过', historyBroken: '留痕校验失败',
  note: '说明', department: '部门', verifier: '核查人', submit: '提交', state: '状态', reporter: '上报人',
  created: '上报时间', deadline: '时限', description: '描述', position: '位置', back: '返回',
  worker: '网格员', day: '日期', play: '播放', pause: '暂停', speed: '倍速', stops: '停留', gaps: '信号中断',
  checkIns: '签到', reports: '上报', distance: '里程', fixes: '定位点', noTrack: '当天没有轨迹',
  draw: '绘制网格', validate: '校验', save: '保存', issues: '校验问题', bindings: '绑定网格员',
  keyPoints: '重点点位', bind: '绑定', unbind: '解绑', placeKeyPoint: '放置点位', gridId: '网格编号',
  name: '名称', valid: '校验通过', selectCommunity: '选择社区', myGrid: '我的网格', inGrid: '在网格内',
  notInGrid: '不在网格内', locating: '定位中…', checkIn: '签到打卡', todayTasks: '今日任务',
  report: '事件上报', photo: '拍照', reportSent: '已上报', myReports: '我的上报', rate: '评价',
  rated: '已评价', checklist: '检查表', outcomeOk: '正常', outcomeProblem: '有问题', outcomeNa: '不适用',
  catalogue: '检查表目录', tasks: '检查任务', results: '检查结果', assign: '派发任务', subject: '检查对象',
  assignee: '执行人', due: '截止', failedItems: '问题项', score: '得分', rank: '排名', breakdown: '得分构成',
  trend: '趋势', exportCsv: '导出CSV', from: '从', to: '到', total: '合计', loading: '加载中…',
  surgeNew: '新发', error: '出错了', saved: '已保存', language: 'English', role: '角色', scope: '辖区', noPermission: '无权访问',
  gpsDenied: '无法获取位置', last24h: '近24小时', residentRegister: '居民注册', backToLogin: '返回登录', sendCode: '获取验证码', codeSent: '验证码已发送', register: '注册并登录', phone: '手机号', code: '验证码', done: '完成', newReport: '新上报', comment: '评语', ok: '确定', cancel: '取消',
};
const en = {
  app: 'Grid Governance Platform', login: 'Log in', username: 'Username', password: 'Password', logout: 'Log out',
  loginFailed: 'Login failed', cockpit: 'Cockpit', board: 'Work orders', playback: 'Track playback',
  fence: 'Fence editor', inspections: 'Inspections', assessment: 'Assessment', field: 'Field',
  resident: 'Report an issue', onlineToday: 'Online today', workersOnline: 'Workers online', workersTotal: 'Workers',
  inOwnGrid: 'In own grid', outOfGrid: 'Out of grid', offline: 'Offline', online: 'Online',
  coverage: 'Coverage', openOrders: 'Open orders', overdue: 'Overdue', reportedToday: 'Reported today',
  closedToday: 'Closed today', heatmap: 'Incident heatmap', allCategories: 'All categories', surges: 'Surge alerts',
  overdueOrders: 'Overdue orders', leaderboard: 'KPI leaderboard', onlineByHour: 'Online by hour', ordersByState: 'Orders by state',
  children: 'Sub-regions', region: 'Region', drillHint: 'Click a region to drill down', live: 'Live', reconnecting: 'Reconnecting',
  none: 'None', layers: 'Layers', workers: 'Workers', choropleth: 'Coverage by grid', inspectionsToday: 'Inspections today',
  col_pending: 'To accept', col_processing: 'In progress', col_review: 'To review', col_closed: 'Closed',
  col_returned: 'Returned', col_escalated: 'Escalated', col_suspended: 'Suspended', filters: 'Filters', category: 'Category',
  overdueOnly: 'Overdue only', refresh: 'Refresh', search: 'Search', orderDetail: 'Work order', timeline: 'Timeline',
  photos: 'Photos', actions: 'Actions', historyIntact: 'History verified', historyBroken: 'History tampered',
  note: 'Note', department: 'Department', verifier: 'Verifier', submit: 'Submit', state: 'State', reporter: 'Reporter',
  created: 'Reported', deadline: 'Deadline', description: 'Description', position: 'Position', back: 'Back',
  worker: 'Worker', day: 'Day', play: 'Play', pause: 'Pause', speed: 'Speed', stops: 'Stops', gaps: 'Gaps',
  checkIns: 'Check-ins', reports: 'Reports', distance: 'Distance', fixes: 'Fixes', noTrack: 'No track that day',
  draw: 'Draw grid', validate: 'Validate', save: 'Save', issues: 'Validation issues', bindings: 'Bound workers',
  keyPoints: 'Key points', bind: 'Bind', unbind: 'Unbind', placeKeyPoint: 'Place key point', gridId: 'Grid id',
  name: 'Name', valid: 'Valid', selectCommunity: 'Community', myGrid: 'My grid', inGrid: 'Inside my grid',
  notInGrid: 'Outside my grid', locating: 'Locating…', checkIn: 'Check in', todayTasks: "Today's tasks",
  report: 'Report incident', photo: 'Photo', reportSent: 'Reported', myReports: 'My reports', rate: 'Rate',
  rated: 'Rated', checklist: 'Checklist', outcomeOk: 'OK', outcomeProblem: 'Problem', outcomeNa: 'N/A',
  catalogue: 'Checklists', tasks: 'Tasks', results: 'Results', assign: 'Assign task', subject: 'Subject',
  assignee: 'Assignee', due: 'Due', failedItems: 'Failed items', score: 'Score', rank: 'Rank', breakdown: 'Breakdown',
  trend: 'Trend', exportCsv: 'Export CSV', from: 'From', to: 'To', total: 'Total', loading: 'Loading…',
  surgeNew: 'new', error: 'Error', saved: 'Saved', language: '中文', role: 'Role', scope: 'Scope', noPermission: 'Not allowed',
  gpsDenied: 'Location unavailable', last24h: 'Last 24 hours', residentRegister: 'Resident sign-up', backToLogin: 'Back to login', sendCode: 'Send code', codeSent: 'Code sent', register: 'Sign up and log in', phone: 'Phone', code: 'Code', done: 'Done', newReport: 'New report', comment: 'Comment', ok: 'OK', cancel: 'Cancel',
};

export const STATE_NAMES = {
  STATE_REPORTED: ['待受理', 'Reported'], STATE_DISPATCHED: ['已派遣', 'Dispatched'],
  STATE_ACCEPTED: ['已受理', 'Accepted'], STATE_PROCESSING: ['处理中', 'Processing'],
  STATE_HANDLED: ['待审核', 'Handled'], STATE_VERIFYING: ['核查中', 'Verifying'],
  STATE_CLOSED: ['已办结', 'Closed'], STATE_RETURNED: ['退回', 'Returned'],
  STATE_ESCALATED: ['上报', 'Escalated'], STATE_SUSPENDED: ['挂起', 'Suspended'],
  STATE_CANCELLED: ['作废', 'Cancelled'],
};
export const ACTION_NAMES = {
  ACTION_REPORT: ['上报', 'Report'], ACTION_DISPATCH: ['派遣', 'Dispatch'], ACTION_ACCEPT: ['受理', 'Accept'],
  ACTION_START: ['开始处理', 'Start'], ACTION_HANDLE: ['处理完成', 'Handled'],
  ACTION_ASSIGN_VERIFICATION: ['派发核查', 'Assign verification'], ACTION_VERIFY_SATISFIED: ['核查通过', 'Verified OK'],
  ACTION_VERIFY_UNSATISFIED: ['核查不通过', 'Verification failed'], ACTION_RETURN: ['退回', 'Return'],
  ACTION_ESCALATE: ['上报', 'Escalate'], ACTION_SUSPEND: ['挂起', 'Suspend'], ACTION_RESUME: ['恢复', 'Resume'],
  ACTION_CANCEL: ['作废', 'Cancel'], ACTION_REJECT_HANDLING: ['审核不通过', 'Reject handling'],
  ACTION_OVERDUE_ESCALATE: ['超期上报', 'Overdue escalation'], ACTION_RATE: ['评价', 'Rate'],
};
export const ROLE_NAMES = {
  ROLE_ADMIN: ['系统管理员', 'Administrator'], ROLE_DISTRICT_COMMAND: ['区指挥中心', 'District command'],
  ROLE_STREET_MANAGER: ['街道办', 'Street office'], ROLE_COMMUNITY_STATION: ['社区工作站', 'Community station'],
  ROLE_GRID_LEADER: ['网格长', 'Grid leader'], ROLE_GRID_WORKER: ['网格员', 'Grid worker'],
  ROLE_DEPARTMENT_HANDLER: ['职能部门', 'Department'], ROLE_RESIDENT: ['居民', 'Resident'],
  ROLE_VIEWER: ['只读用户', 'Viewer'], ROLE_SERVICE: ['服务', 'Service'],
};

let lang = localStorage.getItem('gridwork.lang') || 'zh';
export const getLang = () => lang;
export function setLang(l) {
  lang = l;
  localStorage.setItem('gridwork.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}
export const t = (key) => (lang === 'zh' ? zh : en)[key] ?? key;
/** Picks the language's entry of a [zh, en] pair table, falling back to the raw key. */
export const tn = (table, key) => (table[key] ? table[key][lang === 'zh' ? 0 : 1] : key || '');
