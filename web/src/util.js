// DOM and formatting helpers shared by the pages.
import { call } from './api.js';
import { getLang } from './i18n.js';

/** h('div.card#x', {onclick}, children...) builds an element; strings become text nodes. */
export function h(spec, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  // 'tag.class1.class2#id' (the id may come anywhere after the tag).
  const idMatch = spec.match(/#([\w-]+)/);
  const [tag, ...classes] = spec.replace(/#[\w-]+/, '').split('.');
  const el = document.createElement(tag || 'div');
  if (idMatch) el.id = idMatch[1];
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && k !== 'list') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  const add = (c) => {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  };
  children.forEach(add);
  return el;
}

export function fmtTime(ts, withDate = true) {
  if (!ts) return '—';
  const d = new Date(ts);
  const p = (n) => String(n).padStart(2, '0');
  const time = `${p(d.getHours())}:${p(d.getMinutes())}`;
  return withDate ? `${d.getMonth() + 1}-${p(d.getDate())} ${time}` : time;
}

export function fmtAge(ts) {
  if (!ts) return '';
  const m = Math.round((Date.now() - new Date(ts).getTime()) / 60000);
  const zh = getLang() === 'zh';
  if (m < 1) return zh ? '刚刚' : 'now';
  if (m < 60) return zh ? `${m}分钟前` : `${m} min ago`;
  const hrs = Math.floor(m / 60);
  if (hrs < 24) return zh ? `${hrs}小时前` : `${hrs} h ago`;
  return zh ? `${Math.floor(hrs / 24)}天前` : `${Math.floor(hrs / 24)} d ago`;
}

export const pct = (x) => `${Math.round((x || 0) * 1000) / 10}%`;

export function toast(msg, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) document.body.append((box = h('div#toasts')));
  const el = h(`div.toast.${kind}`, msg);
  box.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 6000 : 3000);
}

export function errorText(e) {
  return e?.message || String(e);
}

let categories = null;
/** The work-order categories by id (cached for the page's life). */
export async function loadCategories() {
  if (!categories) {
    const r = await call('gridwork.workorder.v1.WorkOrderService/ListCategories', {});
    categories = new Map((r.categories || []).map((c) => [c.id, c]));
  }
  return categories;
}
export function categoryName(cats, id) {
  const c = cats?.get(id);
  if (!c) return id || '';
  return getLang() === 'zh' ? c.name : c.name_en || c.name;
}

/** Reads a File as base64 (no data: prefix). */
export function fileToBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1]);
    r.onerror = reject;
    r.readAsDataURL(file);
  });
}

/** Browser geolocation as a promise of {lat, lng, accuracy}. */
export function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('no geolocation'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy }),
      reject,
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 30000 },
    );
  });
}

export function startOfDay(d = new Date()) {
  const x = new Date(d);
  x.setHours(0, 0, 0, 0);
  return x;
}
export function dateInputValue(d = new Date()) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
