// 网格编辑: draw or edit grid polygons (leaflet-draw), validate them with geofence
// ImportRegions(validate_only) and show the issues on the map, save (admins), bind workers to
// the grid and place key points.
import L from '../plugins.js';
import { call, getSession, newRequestId } from '../api.js';
import { createBaseMap, toLatLngs, resetRegions } from '../basemap.js';
import { t } from '../i18n.js';
import { h, toast, errorText } from '../util.js';

const G = 'gridwork.geofence.v1.GeofenceService/';
const KP_KINDS = {
  KEY_POINT_KIND_SMALL_VENUE: '九小场所', KEY_POINT_KIND_SPECIAL_EQUIPMENT: '特种设备',
  KEY_POINT_KIND_ELDERLY_ALONE: '独居老人', KEY_POINT_KIND_HAZARD: '隐患点', KEY_POINT_KIND_OTHER: '其他',
};

const BIND_ROLES = { BINDING_ROLE_LEADER: '网格长', BINDING_ROLE_WORKER: '专职网格员', BINDING_ROLE_VOLUNTEER: '兼职/志愿者' };

export async function render(root) {
  const scope = getSession().user.region_scope || '';
  const mapEl = h('div.map#fence-map');
  const communitySel = h('select#fe-community');
  const gridId = h('input#fe-grid-id', { placeholder: '410105/s01/c01/g99' });
  const gridName = h('input#fe-grid-name', { placeholder: '第99网格' });
  const issuesBox = h('div#fe-issues');
  const bindBox = h('div.chips#fe-bindings');
  const kpBox = h('ul.events#fe-keypoints');
  const workerInput = h('input#fe-worker', { placeholder: 'wang-wei' });
  const roleSel = h('select#fe-bind-role', ['BINDING_ROLE_WORKER', 'BINDING_ROLE_LEADER', 'BINDING_ROLE_VOLUNTEER'].map((v) => [v, BIND_ROLES[v]]).map(([v, n]) => h('option', { value: v }, n)));
  const kpName = h('input#fe-kp-name', { placeholder: t('name') });
  const kpKind = h('select#fe-kp-kind', Object.entries(KP_KINDS).map(([k, v]) => h('option', { value: k }, v)));
  const placeBtn = h('button#fe-kp-place', t('placeKeyPoint'));
  root.append(
    h('div.fence', mapEl,
      h('div.side',
        h('div.box',
          h('label.form-row', t('selectCommunity'), communitySel),
          h('label.form-row', t('gridId'), gridId),
          h('label.form-row', t('name'), gridName),
          h('div.actions', h('button.primary#fe-validate', { onclick: () => validate(false) }, t('validate')),
            h('button#fe-save', { onclick: () => validate(true) }, t('save'))),
          h('p.muted', '用左上角工具绘制多边形，或点击已有网格进行编辑。')),
        h('div.box', h('h3', t('issues')), issuesBox),
        h('div.box', h('h3', t('bindings')), bindBox,
          h('div.row', workerInput, roleSel, h('button#fe-bind', { onclick: () => bind() }, t('bind')))),
        h('div.box', h('h3', t('keyPoints')), kpBox,
          h('div.row', kpName, kpKind), placeBtn),
      )),
  );

  const base = await createBaseMap(mapEl, { focus: scope, onRegionClick: (r) => r.level === 4 && pickGrid(r) });
  const drawn = new L.FeatureGroup().addTo(base.map);
  const issueLayer = L.layerGroup().addTo(base.map);
  const kpLayer = L.layerGroup().addTo(base.map);
  base.map.addControl(new L.Control.Draw({
    position: 'topleft',
    draw: {
      polygon: { allowIntersection: true, showArea: true, shapeOptions: { color: '#1d6fd8', weight: 3 } },
      polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false,
    },
    edit: { featureGroup: drawn, remove: true },
  }));
  let current = null;  // the polygon being edited
  let selectedGrid = '';

  const communities = [...base.regions.values()].filter((r) => r.level === 3).sort((a, b) => a.id.localeCompare(b.id));
  communitySel.replaceChildren(...communities.map((c) => h('option', { value: c.id }, `${c.name} (${c.id})`)));
  communitySel.addEventListener('change', () => base.fit(communitySel.value, 30));
  if (communities.length) base.fit(communities[0].id, 30);
  base.map.setZoom(Math.max(base.map.getZoom(), 15));

  function nextGridId(community) {
    const used = new Set([...base.regions.keys()].filter((id) => id.startsWith(`${community}/`)));
    for (let n = 1; n < 100; n++) {
      const id = `${community}/g${String(n).padStart(2, '0')}`;
      if (!used.has(id)) return id;
    }
    return `${community}/g99`;
  }

  base.map.on(L.Draw.Event.CREATED, (e) => {
    drawn.clearLayers();
    issueLayer.clearLayers();
    current = e.layer;
    drawn.addLayer(current);
    const community = communitySel.value;
    gridId.value = nextGridId(community);
    gridName.value = `第${gridId.value.slice(-2).replace(/^0/, '')}网格`;
    issuesBox.replaceChildren(h('span.muted', '…'));
  });

  function pickGrid(r) {
    drawn.clearLayers();
    issueLayer.clearLayers();
    current = L.polygon(toLatLngs(r.polys)[0], { color: '#1d6fd8', weight: 3 });
    drawn.addLayer(current);
    current.editing?.enable();
    gridId.value = r.id;
    gridName.value = r.name;
    selectedGrid = r.id;
    communitySel.value = r.parent;
    loadGridExtras();
  }

  function featureOf() {
    const rings = current.getLatLngs();
    const shell = (Array.isArray(rings[0]) ? rings[0] : rings).map((ll) => [ll.lng, ll.lat]);
    shell.push(shell[0]);
    const id = gridId.value.trim();
    return {
      type: 'FeatureCollection',
      features: [{
        type: 'Feature',
        properties: { id, level: 'grid', name: gridName.value.trim(), parent: id.slice(0, id.lastIndexOf('/')) },
        geometry: { type: 'Polygon', coordinates: [shell] },
      }],
    };
  }

  async function validate(save) {
    if (!current) return toast('先绘制或选择一个网格', 'error');
    issueLayer.clearLayers();
    const feature = featureOf();
    try {
      const r = await call(`${G}ImportRegions`, {
        request_id: newRequestId(),
        geojson: JSON.stringify(feature),
        validate_only: !save,
      });
      const issues = r.issues || [];
      issuesBox.replaceChildren(
        ...(issues.length ? issues.map((i, n) =>
          h(`div.issue.${i.severity === 'SEVERITY_WARNING' ? 'warning' : 'error'}`,
            h('code', `${n + 1}. ${i.code}`), ' ', i.message, i.area_m2 ? ` (${Math.round(i.area_m2)} m²)` : ''))
          : [h('div.verify.ok', `✔ ${t('valid')}`)]),
      );
      issues.forEach((i, n) => {
        if (!i.location) return;
        L.marker([i.location.lat, i.location.lng], { icon: L.divIcon({ className: 'issue-marker', html: String(n + 1) }) })
          .bindTooltip(`${i.code}: ${i.message}`, { permanent: n === 0, direction: 'right' })
          .addTo(issueLayer);
      });
      current.setStyle({ color: r.has_errors ? '#e5484d' : '#16a34a' });
      mapEl.dataset.validation = r.has_errors ? 'errors' : 'ok';
      if (save && !r.has_errors) {
        toast(t('saved'), 'ok');
        resetRegions();
        // The saved shape becomes part of the base map (and can be picked again).
        base.putRegion(feature.features[0]);
        mapEl.dataset.saved = feature.features[0].properties.id;
      }
    } catch (e) {
      issuesBox.replaceChildren(h('div.issue', errorText(e)));
    }
  }

  async function loadGridExtras() {
    if (!selectedGrid) return;
    const b = await call(`${G}ListBindings`, { region_id: selectedGrid }).catch(() => ({}));
    bindBox.replaceChildren(...(b.bindings || []).map((x) =>
      h('span.chip', `${x.worker_id} · ${BIND_ROLES[x.role] || ''}`,
        h('button', { title: t('unbind'), onclick: () => unbind(x.worker_id) }, '×'))));
    const k = await call(`${G}ListKeyPoints`, { region_id: selectedGrid }).catch(() => ({}));
    kpLayer.clearLayers();
    kpBox.replaceChildren(...(k.key_points || []).map((p) => {
      L.circle([p.position.lat, p.position.lng], { radius: p.radius_m || 30, color: '#7c3aed', weight: 2, fillOpacity: 0.2 })
        .bindTooltip(p.name).addTo(kpLayer);
      return h('li', h('i.pin.stop'), `${p.name} · ${KP_KINDS[p.kind] || ''}`);
    }));
  }
  async function bind() {
    if (!selectedGrid) return toast('先选择网格', 'error');
    try {
      await call(`${G}BindWorker`, { request_id: newRequestId(), worker_id: workerInput.value.trim(), grid_id: selectedGrid, role: roleSel.value });
      toast(t('saved'), 'ok');
      loadGridExtras();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
  async function unbind(worker) {
    try {
      await call(`${G}UnbindWorker`, { request_id: newRequestId(), worker_id: worker, grid_id: selectedGrid });
      loadGridExtras();
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }
  placeBtn.addEventListener('click', () => {
    if (!selectedGrid) return toast('先选择网格', 'error');
    toast('点击地图放置点位');
    base.map.once('click', async (e) => {
      try {
        await call(`${G}PutKeyPoint`, {
          request_id: newRequestId(),
          key_point: { name: kpName.value.trim() || '重点点位', kind: kpKind.value, position: { lat: e.latlng.lat, lng: e.latlng.lng },
            radius_m: 30, min_dwell: '120s', visits_required: 1, visit_period: '86400s', grid_id: selectedGrid },
        });
        toast(t('saved'), 'ok');
        loadGridExtras();
      } catch (ex) {
        toast(errorText(ex), 'error');
      }
    });
  });
  return () => base.map.remove();
}
