// The single-page app: a shell with the pages the user's role may open, and a path router
// (the gateway serves index.html for unknown extension-less paths, so deep links work).
import './leaflet-setup.js';
import './style.css';
import { getSession, logout, onSessionChange } from './api.js';
import { getLang, setLang, t, tn, ROLE_NAMES } from './i18n.js';
import { h } from './util.js';

const PAGES = {
  cockpit: () => import('./pages/cockpit.js'),
  orders: () => import('./pages/board.js'),
  order: () => import('./pages/order.js'),
  playback: () => import('./pages/playback.js'),
  fence: () => import('./pages/fence.js'),
  inspections: () => import('./pages/inspections.js'),
  assessment: () => import('./pages/assessment.js'),
  field: () => import('./pages/field.js'),
  resident: () => import('./pages/resident.js'),
  login: () => import('./pages/login.js'),
};

const MANAGERS = ['ROLE_ADMIN', 'ROLE_DISTRICT_COMMAND', 'ROLE_STREET_MANAGER', 'ROLE_COMMUNITY_STATION'];
/** Pages in the navigation per role (the gateway and the services enforce the same limits). */
export function pagesFor(role) {
  if (MANAGERS.includes(role)) return ['cockpit', 'orders', 'playback', 'fence', 'inspections', 'assessment'];
  switch (role) {
    case 'ROLE_GRID_LEADER':
      return ['cockpit', 'orders', 'playback', 'fence', 'inspections', 'assessment', 'field'];
    case 'ROLE_GRID_WORKER':
      return ['field', 'orders'];
    case 'ROLE_DEPARTMENT_HANDLER':
      return ['orders', 'inspections'];
    case 'ROLE_RESIDENT':
      return ['resident'];
    case 'ROLE_VIEWER':
      return ['cockpit', 'orders', 'assessment'];
    default:
      return [];
  }
}
const LABEL = { orders: 'board' };
const MOBILE = new Set(['field', 'resident']);

const app = document.getElementById('app');
let cleanup = null;
let renderSeq = 0;

export function navigate(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route();
}

function shell(page, user) {
  const pages = pagesFor(user.role);
  const nav = h(
    'nav.nav',
    pages.map((p) =>
      h(
        `a.navlink${p === page || (page === 'order' && p === 'orders') ? '.active' : ''}`,
        { href: `/${p}`, 'data-page': p, onclick: (e) => (e.preventDefault(), navigate(`/${p}`)) },
        t(LABEL[p] || p),
      ),
    ),
  );
  const header = h(
    'header.topbar',
    h('div.brand', h('span.logo', '▦'), h('span', t('app'))),
    nav,
    h(
      'div.userbox',
      h('span.user', user.display_name || user.username),
      h('span.rolechip', tn(ROLE_NAMES, user.role)),
      h('button.link', { onclick: () => (setLang(getLang() === 'zh' ? 'en' : 'zh'), route()) }, t('language')),
      h('button.link#logout', { onclick: async () => (await logout(), navigate('/login')) }, t('logout')),
    ),
  );
  const main = h(`main.page.page-${page}${MOBILE.has(page) ? '.mobile' : ''}`);
  app.replaceChildren(header, main);
  return main;
}

async function route() {
  const seq = ++renderSeq;
  if (cleanup) {
    try {
      cleanup();
    } catch {
      // a page's cleanup never blocks navigation
    }
    cleanup = null;
  }
  const session = getSession();
  const parts = location.pathname.split('/').filter(Boolean);
  let page = parts[0] || '';
  if (!session) {
    page = 'login';
  } else {
    const allowed = pagesFor(session.user.role);
    if (page === 'login' || !page) return navigate(`/${allowed[0] || 'login'}`, true);
    if (page === 'orders' && parts[1]) page = 'order';
    if (page !== 'order' && !allowed.includes(page)) return navigate(`/${allowed[0]}`, true);
  }
  document.title = `${t(LABEL[page] || page)} · Gridwork`;
  const root = page === 'login' ? app : shell(page, session.user);
  if (page === 'login') app.replaceChildren();
  const mod = await PAGES[page]();
  if (seq !== renderSeq) return;
  try {
    cleanup = (await mod.render(root, { id: decodeURIComponent(parts[1] || ''), navigate })) || null;
  } catch (e) {
    root.append(h('div.error-box', `${t('error')}: ${e.message}`));
  }
}

window.addEventListener('popstate', route);
onSessionChange((s) => {
  if (!s && location.pathname !== '/login') navigate('/login');
});
setLang(getLang());
route();
