// The incident report form of the field and resident pages: category, description, a camera
// photo (input capture) and the browser's position; UploadPhoto then CreateOrder.
import { call, newRequestId } from './api.js';
import { t } from './i18n.js';
import { h, locate, loadCategories, categoryName, toast, errorText } from './util.js';
import { uploadPhoto } from './photos.js';

export async function reportForm({ source, onDone }) {
  const cats = await loadCategories();
  const leaves = [...cats.values()].filter((c) => c.parent_id).sort((a, b) => a.id.localeCompare(b.id));
  const catSel = h('select#rp-category', leaves.map((c) => h('option', { value: c.id }, `${categoryName(cats, c.parent_id)} / ${categoryName(cats, c.id)}`)));
  const desc = h('textarea#rp-description', { placeholder: t('description') });
  const preview = h('img.photo-preview', { hidden: true });
  const photo = h('input#rp-photo', {
    type: 'file', accept: 'image/*', capture: 'environment',
    onchange: () => {
      const f = photo.files[0];
      if (f) (preview.src = URL.createObjectURL(f)), (preview.hidden = false);
    },
  });
  const posText = h('span#rp-position', t('locating'));
  let position = null;
  const refreshPos = () =>
    locate()
      .then((p) => {
        position = { lat: p.lat, lng: p.lng };
        posText.textContent = `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)} (±${Math.round(p.accuracy)} m)`;
      })
      .catch(() => (posText.textContent = t('gpsDenied')));
  refreshPos();
  const send = h('button.primary.bigbtn#rp-submit', { type: 'submit' }, t('submit'));
  const form = h('form.mform', {
    onsubmit: async (e) => {
      e.preventDefault();
      if (!position) return toast(t('gpsDenied'), 'error');
      send.disabled = true;
      try {
        const photos = photo.files[0] ? [await uploadPhoto(photo.files[0], position)] : [];
        const r = await call('gridwork.workorder.v1.WorkOrderService/CreateOrder', {
          request_id: newRequestId(), category_id: catSel.value, position, description: desc.value.trim(), photos, source,
        });
        toast(t('reportSent'), 'ok');
        desc.value = '';
        photo.value = '';
        preview.hidden = true;
        onDone?.(r.order);
      } catch (ex) {
        toast(errorText(ex), 'error');
      } finally {
        send.disabled = false;
      }
    },
  },
  h('label', t('category'), catSel),
  h('label', t('description'), desc),
  h('label', t('photo'), photo), preview,
  h('div.muted', '◉ ', posText, ' ', h('button.link', { type: 'button', onclick: refreshPos }, '↻')),
  send);
  return form;
}
