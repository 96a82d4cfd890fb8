// The base map, drawn from the region polygons themselves (no tile server is reachable):
// land fill per street, district / street / community / grid outlines and labels, with
// detail by zoom. Regions come from geofence ExportRegions of the user's scope (or of every
// top-level region for unscoped roles), cached for the page's life.
import L from './plugins.js';
import { call, getSession } from './api.js';

const LEVELS = { district: 1, street: 2, community: 3, grid: 4 };
let treePromise = null;

/** Features of the regions the user may see: Map id → {id, level, name, parent, rings, centre, bounds}. */
export function loadRegions() {
  if (!treePromise) {
    treePromise = (async () => {
      const scope = getSession()?.user?.region_scope || '';
      let roots = [scope];
      if (!scope) {
        const r = await call('gridwork.geofence.v1.GeofenceService/ListRegions', {});
        roots = (r.regions || []).map((x) => x.id);
      }
      const regions = new Map();
      for (const root of roots) {
        const r = await call('gridwork.geofence.v1.GeofenceService/ExportRegions', { root_id: root });
        for (const f of JSON.parse(r.geojson).features) {
          const region = regionOf(f);
          regions.set(region.id, region);
        }
      }
      return regions;
    })().catch((e) => {
      treePromise = null;
      throw e;
    });
  }
  return treePromise;
}
/** A GeoJSON feature of ExportRegions (or ImportRegions) as a region of the base map. */
function regionOf(f) {
  const p = f.properties;
  const id = String(p.id ?? f.id);
  const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
  return {
    id,
    level: LEVELS[p.level] || id.split('/').length,
    name: p.name || id.split('/').pop(),
    parent: id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : '',
    polys, // [[shell, hole...], ...] of [lng, lat]
    centre: labelPoint(polys),
  };
}

export const resetRegions = () => {
  treePromise = null;
};

/** Area-weighted centroid of the largest shell, as [lat, lng]. */
function labelPoint(polys) {
  let best = null;
  let bestArea = -1;
  for (const poly of polys) {
    const ring = poly[0];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (Math.abs(a) > bestArea && a !== 0) {
      bestArea = Math.abs(a);
      best = [cy / (3 * a), cx / (3 * a)];
    }
  }
  return best || [polys[0][0][0][1], polys[0][0][0][0]];
}

export const toLatLngs = (polys) => polys.map((poly) => poly.map((ring) => ring.map(([x, y]) => [y, x])));

const DARK_STYLE = {
  1: { color: '#3fb6ff', weight: 2.5, fillColor: '#0f2a47', fillOpacity: 1, opacity: 0.9 },
  2: { color: '#2f6da3', weight: 1.4, fillOpacity: 1, opacity: 0.9 },
  3: { color: '#244f78', weight: 0.9, fillOpacity: 0, opacity: 0.9 },
  4: { color: '#1d4266', weight: 0.6, dashArray: '3 3', fillOpacity: 0, opacity: 0.9 },
};
const DARK_LAND = ['#10263f', '#112944', '#0f2440', '#12283f', '#102642'];
const STYLE = {
  1: { color: '#7d6f5a', weight: 3, fillColor: '#f4f1ea', fillOpacity: 1, opacity: 0.9 },
  2: { color: '#a89c86', weight: 1.6, fillOpacity: 1, opacity: 0.9 },
  3: { color: '#c2b8a5', weight: 1, fillOpacity: 0, opacity: 0.9 },
  4: { color: '#cfc6b4', weight: 0.7, dashArray: '3 3', fillOpacity: 0, opacity: 0.9 },
};
// Muted land tones, one per street, so the map reads as a patchwork of neighbourhoods.
const LAND = ['#f3efe6', '#eef0e4', '#f1ece3', '#ecefe6', '#f4eee4', '#eff1e8', '#f2ede6'];
const hash = (s) => [...s].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);

// At which zoom each level's outlines and labels appear.
const SHOW_OUTLINE = { 1: 0, 2: 0, 3: 13, 4: 14 };
const SHOW_LABEL = { 1: [0, 12], 2: [11.5, 13.25], 3: [13.25, 15.5], 4: [15.5, 30] };

/**
 * Creates a Leaflet map in `el` with the region base map. Options: focus (region id to fit),
 * minLevel/maxLevel of regions drawn, onRegionClick(region, event), interactive (default true).
 * Returns {map, regions, layers (id → polygon), fit(id), setGridStyle(fn), refreshLabels(),
 * putRegion(feature)}.
 */
export async function createBaseMap(el, opts = {}) {
  const regions = await loadRegions();
  const dark = opts.theme === 'dark';
  const styles = dark ? DARK_STYLE : STYLE;
  const land = dark ? DARK_LAND : LAND;
  const map = L.map(el, {
    zoomControl: true,
    attributionControl: false,
    preferCanvas: true,
    // No zoom animation: pages remove maps on navigation, and a pending animation frame on a
    // removed map throws (Leaflet's _leaflet_pos).
    zoomAnimation: opts.animate ?? false,
    fadeAnimation: false,
    markerZoomAnimation: false,
    zoomSnap: 0.25,
    minZoom: 9,
    maxZoom: 19,
  });
  el.classList.add('basemap');
  const renderer = L.canvas({ padding: 0.3 });
  const groups = { 1: L.layerGroup(), 2: L.layerGroup(), 3: L.layerGroup(), 4: L.layerGroup() };
  const layers = new Map();
  let gridStyle = null;
  const ordered = [...regions.values()].sort((a, b) => a.level - b.level);
  function addLayer(r) {
    const style = { ...styles[r.level], renderer };
    if (r.level === 2) style.fillColor = land[hash(r.id) % land.length];
    const poly = L.polygon(toLatLngs(r.polys), style);
    poly.region = r;
    if (opts.onRegionClick) poly.on('click', (e) => opts.onRegionClick(r, e));
    if (opts.onRegionHover) poly.on('mouseover', () => opts.onRegionHover(r));
    layers.set(r.id, poly);
    groups[r.level].addLayer(poly);
  }
  ordered.forEach(addLayer);
  groups[1].addTo(map);
  groups[2].addTo(map);
  const labels = L.layerGroup().addTo(map);

  function refreshLabels() {
    const z = map.getZoom();
    for (const lvl of [3, 4]) {
      const want = z >= SHOW_OUTLINE[lvl] || (lvl === 4 && gridStyle);
      if (want && !map.hasLayer(groups[lvl])) groups[lvl].addTo(map);
      if (!want && map.hasLayer(groups[lvl])) map.removeLayer(groups[lvl]);
    }
    labels.clearLayers();
    const view = map.getBounds().pad(0.1);
    for (const r of regions.values()) {
      const [lo, hi] = SHOW_LABEL[r.level];
      if (z < lo || z >= hi) continue;
      if (!view.contains(r.centre)) continue;
      labels.addLayer(
        L.marker(r.centre, {
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: `region-label lvl${r.level}${dark ? ' dark' : ''}`, html: `<span>${r.name}</span>`, iconSize: null }),
        }),
      );
    }
  }
  map.on('zoomend moveend', refreshLabels);

  function fit(id, padding = 20) {
    const layer = layers.get(id);
    if (layer) map.fitBounds(layer.getBounds(), { padding: [padding, padding] });
    else if (layers.size) map.fitBounds(L.featureGroup([...layers.values()].filter((l) => l.region.level === 1)).getBounds());
  }
  const roots = ordered.filter((r) => !regions.has(r.parent));
  if (opts.focus && layers.has(opts.focus)) fit(opts.focus);
  else if (roots.length) map.fitBounds(L.featureGroup(roots.map((r) => layers.get(r.id))).getBounds(), { padding: [10, 10] });
  else map.setView([34.75, 113.65], 12);

  /**
   * Styles every grid by fn(id) → {fillColor, fillOpacity} (null: the plain style); shows
   * grids at all zooms. Returns how many grids fn styled.
   */
  function setGridStyle(fn) {
    gridStyle = fn;
    let styled = 0;
    for (const [id, layer] of layers) {
      if (layer.region.level !== 4) continue;
      const s = fn ? fn(id) : null;
      if (s) styled += 1;
      layer.setStyle(s ? { ...styles[4], ...s } : styles[4]);
    }
    refreshLabels();
    return styled;
  }
  /** Adds or replaces one region from a GeoJSON feature (one just saved), in the map and the cached tree. */
  function putRegion(feature) {
    const r = regionOf(feature);
    const old = layers.get(r.id);
    if (old) groups[old.region.level].removeLayer(old);
    regions.set(r.id, r);
    addLayer(r);
    refreshLabels();
  }
  refreshLabels();
  return { map, regions, layers, fit, setGridStyle, refreshLabels, putRegion };
}

/** The ancestor-or-self of `id` one level below `prefix` ('' = the top level). */
export function childOf(prefix, id) {
  const segs = id.split('/');
  const depth = prefix ? prefix.split('/').length : 0;
  if (segs.length <= depth) return null;
  if (prefix && !id.startsWith(prefix + '/')) return null;
  return segs.slice(0, depth + 1).join('/');
}
