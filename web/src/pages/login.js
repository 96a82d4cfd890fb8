// Login: username + password through gridwork.gateway.v1.Identity/Login; residents may
// register with their phone (RegisterResident sends a code, VerifyResident creates the account).
import { login, registerResident, verifyResident } from '../api.js';
import { getLang, setLang, t } from '../i18n.js';
import { h } from '../util.js';

export function render(root, { navigate }) {
  const err = h('div.form-error');
  const busy = async (btn, fn) => {
    btn.disabled = true;
    err.textContent = '';
    err.className = 'form-error';
    try {
      await fn();
    } catch (ex) {
      err.textContent = `${t('error')}: ${ex.message}`;
    } finally {
      btn.disabled = false;
    }
  };

  const user = h('input#username', { name: 'username', autocomplete: 'username', placeholder: t('username') });
  const pass = h('input#password', { name: 'password', type: 'password', autocomplete: 'current-password', placeholder: t('password') });
  const btn = h('button.primary#login', { type: 'submit' }, t('login'));
  const loginForm = h('form.login-fields', {
    onsubmit: (e) => {
      e.preventDefault();
      busy(btn, async () => {
        try {
          await login(user.value.trim(), pass.value);
        } catch (ex) {
          throw new Error(`${t('loginFailed')} (${ex.message})`);
        }
        navigate('/', true);
      });
    },
  }, h('label', t('username'), user), h('label', t('password'), pass), btn);

  const phone = h('input#rg-phone', { type: 'tel', placeholder: '+8613800138000' });
  const code = h('input#rg-code', { inputmode: 'numeric', placeholder: '123456', maxLength: 6 });
  const name = h('input#rg-name', { placeholder: t('name') });
  const newPass = h('input#rg-password', { type: 'password', autocomplete: 'new-password', placeholder: t('password') });
  const send = h('button#rg-send', { type: 'button' }, t('sendCode'));
  send.addEventListener('click', () => busy(send, async () => {
    await registerResident(phone.value.trim());
    err.textContent = t('codeSent');
    err.className = 'form-error ok';
  }));
  const submit = h('button.primary#rg-submit', { type: 'submit' }, t('register'));
  const regForm = h('form.login-fields', {
    hidden: true,
    onsubmit: (e) => {
      e.preventDefault();
      busy(submit, async () => {
        await verifyResident(phone.value.trim(), code.value.trim(), newPass.value, name.value.trim());
        navigate('/', true);
      });
    },
  }, h('label', t('phone'), h('div.row', phone, send)), h('label', t('code'), code), h('label', t('name'), name),
  h('label', t('password'), newPass), submit);

  const toggle = h('button.link#show-register', { type: 'button' }, t('residentRegister'));
  toggle.addEventListener('click', () => {
    const registering = regForm.hidden;
    regForm.hidden = !registering;
    loginForm.hidden = registering;
    toggle.textContent = t(registering ? 'backToLogin' : 'residentRegister');
    err.textContent = '';
  });

  const card = h('div.login-card',
    h('div.login-logo', '▦'),
    h('h1', t('app')),
    h('p.sub', 'Gridwork · 网格化管理 · 数据驾驶舱 · 工单 · 巡查'),
    loginForm, regForm, err,
    h('div.row', toggle, h('div.spacer'),
      h('button.link.lang', { type: 'button', onclick: () => (setLang(getLang() === 'zh' ? 'en' : 'zh'), root.replaceChildren(), render(root, { navigate })) }, t('language'))));
  root.append(h('div.login-page', h('div.login-art', h('div.art-grid')), card));
  user.focus();
}
