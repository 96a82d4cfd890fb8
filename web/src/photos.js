// Work-order photos: upload (UploadPhoto with base64 bytes) and display (GetPhoto by hash).
import { call } from './api.js';
import { h, fileToBase64, fmtTime } from './util.js';
import { t } from './i18n.js';

const W = 'gridwork.workorder.v1.WorkOrderService/';
const PHASE = { PHOTO_PHASE_BEFORE: '上报', PHOTO_PHASE_AFTER: '处理后', PHOTO_PHASE_VERIFY: '核查' };

/** Uploads a File; returns a PhotoRef for CreateOrder / Transition. */
export async function uploadPhoto(file, position) {
  const content = await fileToBase64(file);
  const rec = await call(`${W}UploadPhoto`, {
    content,
    capture_time: new Date(file.lastModified || Date.now()).toISOString(),
    capture_position: position || undefined,
  });
  return { sha256: rec.sha256, capture_time: rec.capture_time, capture_position: rec.capture_position };
}

/** A strip of the order's photos, loaded lazily. */
export function photoStrip(order) {
  const strip = h('div.photos');
  if (!order.photos?.length) strip.append(h('span.muted', t('none')));
  for (const p of order.photos || []) {
    const img = h('img', { alt: p.sha256.slice(0, 8) });
    strip.append(h('figure', img, h('figcaption', `${PHASE[p.phase] || ''} ${fmtTime(p.received_at)}`)));
    call(`${W}GetPhoto`, { sha256: p.sha256, order_id: order.id })
      .then((r) => (img.src = `data:${r.record?.media_type || 'image/jpeg'};base64,${r.content}`))
      .catch(() => (img.alt = '×'));
  }
  return strip;
}
