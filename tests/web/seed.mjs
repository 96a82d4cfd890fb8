// Seeds a started stack (stack.mjs) through the gateway's HTTP API only: the 金水区 demo
// regions (gridwork-demo-geo), the work-order catalogue, users of every role, worker
// bindings, a key point, tracks of four grid workers (three online, one of them outside their
// own grid, one offline) and a dozen patrol reports for the heatmap.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayApi, requestId } from './api.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../..');

export const GRIDS = [
  '410105/s01/c01/g01',
  '410105/s01/c01/g02',
  '410105/s01/c01/g03',
  '410105/s01/c01/g04',
];

/** Users created by seedDemo (password common to all, roles as the proto names them). */
export const USERS = [
  { username: 'command', display_name: '区指挥中心·李明', role: 'ROLE_DISTRICT_COMMAND', region_scope: '410105' },
  { username: 'station', display_name: '社区工作站·赵敏', role: 'ROLE_COMMUNITY_STATION', region_scope: '410105/s01/c01' },
  { username: 'leader', display_name: '网格长·陈刚', role: 'ROLE_GRID_LEADER', region_scope: '410105/s01/c01' },
  { username: 'wang-wei', display_name: '网格员·王伟', role: 'ROLE_GRID_WORKER', region_scope: GRIDS[0] },
  { username: 'li-na', display_name: '网格员·李娜', role: 'ROLE_GRID_WORKER', region_scope: GRIDS[1] },
  { username: 'zhang-qiang', display_name: '网格员·张强', role: 'ROLE_GRID_WORKER', region_scope: GRIDS[2] },
  { username: 'liu-yang', display_name: '网格员·刘洋', role: 'ROLE_GRID_WORKER', region_scope: GRIDS[3] },
  { username: 'handler', display_name: '金水区环卫·孙涛', role: 'ROLE_DEPARTMENT_HANDLER', region_scope: '410105', department: 'sanitation-jinshui' },
  { username: 'resident', display_name: '居民·周女士', role: 'ROLE_RESIDENT', region_scope: '' },
];
export const PASSWORD = 'Gridwork-2024';

/** Vertex average of a feature's first ring: a point well inside the convex demo grids. */
function centreOf(feature) {
  const g = feature.geometry;
  const ring = g.type === 'Polygon' ? g.coordinates[0] : g.coordinates[0][0];
  let lng = 0;
  let lat = 0;
  const n = ring.length - 1;
  for (let i = 0; i < n; i++) {
    lng += ring[i][0];
    lat += ring[i][1];
  }
  return { lat: lat / n, lng: lng / n };
}

const iso = (ms) => new Date(ms).toISOString();

/** A patrol loop around `c`: ~110 m radius, a 10-minute stop and a 15-minute gap. */
function patrolTrack(c, startMs, endMs, phase) {
  const fixes = [];
  const stepMs = 30000;
  const dLat = 110 / 111320;
  const dLng = 110 / (111320 * Math.cos((c.lat * Math.PI) / 180));
  const span = endMs - startMs;
  let seq = 1;
  for (let t = startMs; t <= endMs; t += stepMs) {
    const f = (t - startMs) / span;
    if (f > 0.55 && f < 0.55 + (15 * 60000) / span) continue;  // the gap: no fix at all
    let a = phase + f * Math.PI * 6;
    const stopStart = 0.3;
    const stopEnd = 0.3 + (10 * 60000) / span;
    if (f >= stopStart && f < stopEnd) a = phase + stopStart * Math.PI * 6;  // standing still
    const jitter = f >= stopStart && f < stopEnd ? (seq % 3) * 0.000005 : 0;
    fixes.push({
      sequence: String(seq++),
      device_time: iso(t),
      position: { lat: c.lat + dLat * Math.sin(a) + jitter, lng: c.lng + dLng * Math.cos(a) },
      accuracy_m: 6,
      speed_mps: 1.2,
    });
  }
  return fixes;
}

/** Waits until analytics' consumer `name` has applied everything its peer has published. */
async function analyticsCaughtUp(admin, name) {
  for (let i = 0; i < 200; i++) {
    const st = await admin.call('gridwork.analytics.v1.AnalyticsService/GetRebuildStatus', {});
    const c = (st.consumers || []).find((x) => x.consumer === name);
    if (c && c.connected && c.lag === '0' && c.cursor !== '0') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`analytics consumer ${name} did not catch up`);
}

export { analyticsCaughtUp };

export async function seedDemo(stack, { binDir, log = () => {} }) {
  const admin = await GatewayApi.login(stack.httpUrl, 'admin', stack.adminPassword);

  // Regions: the generator's output for one district (773 regions).
  const geoFile = path.join(stack.dataDir, 'regions.geojson');
  execFileSync(path.join(binDir, 'gridwork-demo-geo'), ['--districts=410105', `--output=${geoFile}`], {
    cwd: repoRoot,
    stdio: 'ignore',
  });
  const geojson = fs.readFileSync(geoFile, 'utf8');
  const imported = await admin.call('gridwork.geofence.v1.GeofenceService/ImportRegions', {
    request_id: requestId(),
    geojson,
  });
  if (imported.has_errors) throw new Error(`region import failed: ${JSON.stringify(imported.issues)}`);
  const created = imported.created;
  await analyticsCaughtUp(admin, 'analytics<-geofence');
  log(`regions: ${created} created`);
  const features = new Map(JSON.parse(geojson).features.map((f) => [String(f.properties.id), f]));

  // The work-order catalogue, parents before children.
  const catalog = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'services/workorder/data/default_catalog.json'), 'utf8'),
  );
  const depth = (c) => c.id.split('.').length;
  for (const category of catalog.categories.slice().sort((a, b) => depth(a) - depth(b))) {
    await admin.call('gridwork.workorder.v1.WorkOrderService/UpsertCategory', {
      request_id: requestId(),
      category,
    });
  }
  for (const rule of catalog.rules) {
    await admin.call('gridwork.workorder.v1.WorkOrderService/UpsertDispatchRule', {
      request_id: requestId(),
      rule,
    });
  }
  log(`catalogue: ${catalog.categories.length} categories, ${catalog.rules.length} rules`);

  // Users and bindings.
  for (const u of USERS) {
    const { role, region_scope, department = '', display_name, username } = u;
    await admin.call('gridwork.gateway.v1.Identity/CreateUser', {
      request_id: requestId(),
      user: { username, display_name, role, region_scope, department },
      password: PASSWORD,
    });
  }
  const workers = USERS.filter((u) => u.role === 'ROLE_GRID_WORKER');
  for (const w of workers) {
    await admin.call('gridwork.geofence.v1.GeofenceService/BindWorker', {
      request_id: requestId(),
      worker_id: w.username,
      grid_id: w.region_scope,
      role: 'BINDING_ROLE_WORKER',
    });
  }
  await admin.call('gridwork.geofence.v1.GeofenceService/BindWorker', {
    request_id: requestId(),
    worker_id: 'leader',
    grid_id: GRIDS[0],
    role: 'BINDING_ROLE_LEADER',
  });

  // A key point where wang-wei's stop is, so the stop becomes a check-in.
  const centres = GRIDS.map((g) => centreOf(features.get(g)));
  const now = Date.now();
  // Three hours up to now (it may cross midnight: the playback test asks for the last 24 h).
  const start = now - 3 * 3600 * 1000;
  const tracks = workers.map((w, i) => {
    // zhang-qiang walks in the neighbouring grid (out of their own); liu-yang stopped an hour ago.
    const c = i === 2 ? centres[3] : centres[i];
    const end = i === 3 ? now - 60 * 60000 : now - 5000;
    return patrolTrack(c, Math.min(start, end - 30 * 60000), end, i);
  });
  const stopFix = tracks[0][Math.floor(tracks[0].length * 0.32)];
  await admin.call('gridwork.geofence.v1.GeofenceService/PutKeyPoint', {
    request_id: requestId(),
    key_point: {
      name: '金水花园小区消防通道',
      kind: 'KEY_POINT_KIND_HAZARD',
      position: stopFix.position,
      radius_m: 40,
      min_dwell: '120s',
      visits_required: 1,
      visit_period: '86400s',
      grid_id: GRIDS[0],
    },
  });

  // Analytics follows geofence's feed: wait until it knows the bindings, or the fixes below
  // would be counted without an own grid (no coverage, never "in own grid").
  for (let i = 0; ; i++) {
    const live = await admin.call('gridwork.analytics.v1.AnalyticsService/ListLiveWorkers', {
      region_prefix: '410105',
      page_size: 100,
    });
    const known = new Set((live.workers || []).filter((w) => w.grid_id).map((w) => w.worker_id));
    if (workers.every((w) => known.has(w.username))) break;
    if (i > 100) throw new Error('analytics never saw the worker bindings');
    await new Promise((r) => setTimeout(r, 100));
  }

  const sessions = {};
  for (const w of workers) {
    sessions[w.username] = await GatewayApi.login(stack.httpUrl, w.username, PASSWORD);
  }
  for (let i = 0; i < workers.length; i++) {
    const api = sessions[workers[i].username];
    const fixes = tracks[i];
    for (let k = 0; k < fixes.length; k += 200) {
      const ack = await api.call('gridwork.location.v1.LocationService/IngestFixes', {
        batch_id: String(k + 1),
        worker_id: workers[i].username,
        device_id: `phone-${workers[i].username}`,
        fixes: fixes.slice(k, k + 200),
      });
      if (ack.error) throw new Error(`IngestFixes: ${ack.error}`);
    }
  }
  log(`tracks: ${tracks.map((t) => t.length).join(', ')} fixes`);

  // Patrol reports for the heatmap (inside each reporter's own grid).
  const reports = [
    ['env.garbage', '路边堆放建筑垃圾约2立方米'],
    ['env.exposed_garbage', '绿化带内暴露垃圾'],
    ['env.overflowing_bin', '垃圾桶满溢，异味明显'],
    ['env.garbage', '小区门口堆放装修垃圾'],
  ];
  let orders = 0;
  for (let i = 0; i < 3; i++) {
    const api = sessions[workers[i].username];
    const c = centres[i];
    for (let k = 0; k < reports.length; k++) {
      const [category_id, description] = reports[(k + i) % reports.length];
      await api.call('gridwork.workorder.v1.WorkOrderService/CreateOrder', {
        request_id: requestId(),
        category_id,
        position: { lat: c.lat + (k - 1.5) * 0.0003, lng: c.lng + ((k % 2) - 0.5) * 0.0004 },
        description,
        source: 'SOURCE_PATROL',
      });
      orders++;
    }
  }
  log(`orders: ${orders} patrol reports`);

  // The inspection catalogue, one registered restaurant in wang-wei's grid and a task for them.
  const inspectionCatalog = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'services/inspection/data/default_catalog.json'), 'utf8'),
  );
  for (const department of inspectionCatalog.departments) {
    await admin.call('gridwork.inspection.v1.InspectionService/UpsertDepartment', {
      request_id: requestId(),
      department,
    });
  }
  for (const c of inspectionCatalog.checklists) {
    const { status, revision, publishedBy, ...checklist } = c;
    const draft = await admin.call('gridwork.inspection.v1.InspectionService/CreateChecklistDraft', {
      request_id: requestId(),
      checklist,
    });
    await admin.call('gridwork.inspection.v1.InspectionService/PublishChecklist', {
      request_id: requestId(),
      template_id: draft.template_id,
      version: draft.version,
      expected_revision: draft.revision,
    });
  }
  const station = await GatewayApi.login(stack.httpUrl, 'station', PASSWORD);
  const subject = await station.call('gridwork.inspection.v1.InspectionService/RegisterSubject', {
    request_id: requestId(),
    subject: {
      type: 'SUBJECT_TYPE_RESTAURANT',
      name: '老王烩面馆',
      address: '金水路88号',
      position: { lat: centres[0].lat + 0.0004, lng: centres[0].lng },
    },
  });
  const leader = await GatewayApi.login(stack.httpUrl, 'leader', PASSWORD);
  await leader.call('gridwork.inspection.v1.InspectionService/AssignTask', {
    request_id: requestId(),
    subject_id: subject.id,
    template_id: 'fire.small-venue',
    assignee: 'wang-wei',
    due_at: iso(now + 86400000),
    campaign: '安全生产月',
  });
  log(`inspection: ${inspectionCatalog.checklists.length} checklists, 1 subject, 1 task`);

  // Pages opened next must show all of it: wait until analytics has applied every feed.
  for (const name of ['analytics<-geofence', 'analytics<-location', 'analytics<-workorder', 'analytics<-inspection']) {
    await analyticsCaughtUp(admin, name);
  }

  const users = [{ username: 'admin', password: stack.adminPassword, role: 'ROLE_ADMIN' }].concat(
    USERS.map((u) => ({ username: u.username, password: PASSWORD, role: u.role })),
  );
  return { users, centres, grids: GRIDS };
}
