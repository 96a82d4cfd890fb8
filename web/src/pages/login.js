// Login: username + password through gridwork.gateway.v1.Identity/Login.
import { login } from '../api.js';
import { getLang, setLang, t } from '../i18n.js';
import { h } from '../util.js';

export function render(root, { navigate }) {
  const user = h('input#username', { name: 'username', autocomplete: 'username', placeholder: t('username') });
  const pass = h('input#password', { name: 'password', type: 'password', autocomplete: 'current-password', placeholder: t('password') });
  const err = h('div.form-error');
  const btn = h('button.primary#login', { type: 'submit' }, t('login'));
  const form = h(
    'form.login-card',
    {
      onsubmit: async (e) => {
        e.preventDefault();
        btn.disabled = true;
        err.textContent = '';
        try {
          await login(user.value.trim(), pass.value);
          navigate('/', true);
        } catch (ex) {
          err.textContent = `${t('loginFailed')}: ${ex.message}`;
        } finally {
          btn.disabled = false;
        }
      },
    },
    h('div.login-logo', '▦'),
    h('h1', t('app')),
    h('p.sub', 'Gridwork · 网格化管理 · 数据驾驶舱 · 工单 · 巡查'),
    h('label', t('username'), user),
    h('label', t('password'), pass),
    btn,
    err,
    h('button.link.lang', { type: 'button', onclick: () => (setLang(getLang() === 'zh' ? 'en' : 'zh'), render(root.replaceChildren() || root, { navigate })) }, t('language')),
  );
  root.append(h('div.login-page', h('div.login-art', h('div.art-grid')), form));
  user.focus();
}
