// Every Grafana dashboard parses and is well-formed, and every metric name in a PromQL
// expression of the dashboards and of the alert/recording rules is one the services really
// export: the names come from /metrics pages scraped from running services (the dumps
// scrape_test.sh writes), plus the rules' own recordings and Prometheus' ALERTS.
// Usage: node check_metric_names.mjs <node_modules> <repo root> <dir of /metrics dumps>
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, root, dumpsDir] = process.argv.slice(2);
const YAML = await import(pathToFileURL(path.join(modulesDir, "yaml/dist/index.js")).href);
const problems = [];

// ---- names exported (text exposition format: TYPE lines and sample lines)
const exported = new Set();
const dumps = readdirSync(dumpsDir).filter((f) => f.endsWith(".metrics"));
if (dumps.length === 0) problems.push(`no /metrics dumps in ${dumpsDir}`);
for (const f of dumps) {
  for (const line of readFileSync(path.join(dumpsDir, f), "utf8").split("\n")) {
    const type = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/);
    if (type) {
      exported.add(type[1]);
      if (type[2] === "histogram") ["_bucket", "_sum", "_count"].forEach((s) => exported.add(type[1] + s));
      if (type[2] === "summary") ["_sum", "_count"].forEach((s) => exported.add(type[1] + s));
      continue;
    }
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/);
    if (sample) exported.add(sample[1]);
  }
}
// A labelled family appears on /metrics only after its first event (an SLA alarm, a refused
// transition): such names are accepted when the code registers them (prometheus-cpp's
// Build<Type>().Name("...") in services/ and libs/), and reported apart.
const declared = new Set();
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
for (const f of ["services", "libs"].flatMap((d) => walk(path.join(root, d)))) {
  if (!f.endsWith(".cc") || f.endsWith("_test.cc")) continue;
  const src = readFileSync(f, "utf8");
  for (const m of src.matchAll(/Build(Counter|Gauge|Histogram|Summary)\(\)\s*\.Name\("([a-zA-Z_:][a-zA-Z0-9_:]*)"\)/g)) {
    declared.add(m[2]);
    if (m[1] === "Histogram") ["_bucket", "_sum", "_count"].forEach((x) => declared.add(m[2] + x));
    if (m[1] === "Summary") ["_sum", "_count"].forEach((x) => declared.add(m[2] + x));
  }
}
const scraped = new Set(exported);
exported.add("up"); // Prometheus' own, per target
exported.add("ALERTS");

// ---- metric names in a PromQL expression
const KEYWORDS = new Set(`sum min max avg group stddev stdvar count count_values bottomk topk quantile
  by without on ignoring group_left group_right bool and or unless offset
  abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week
  days_in_month delta deriv exp floor histogram_quantile holt_winters hour idelta increase irate
  label_join label_replace ln log2 log10 minute month predict_linear rate resets round scalar sgn
  sort sort_desc sqrt time timestamp vector year avg_over_time min_over_time max_over_time
  sum_over_time count_over_time quantile_over_time stddev_over_time stdvar_over_time
  last_over_time present_over_time inf nan`.split(/\s+/));
function metricNames(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')          // string literals
    .replace(/\{[^}]*\}/g, "{}")                   // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "$1()") // label lists
    .replace(/\[[^\]]*\]/g, "[]")                  // ranges and subqueries
    .replace(/\$\{?\w+\}?/g, " ");                 // Grafana variables
  const names = [];
  for (const m of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)/g)) {
    const word = m[1];
    if (KEYWORDS.has(word.toLowerCase())) continue;
    const after = stripped.slice(m.index + word.length).trimStart();
    if (after.startsWith("(")) { problems.push(`unknown function ${word}( in: ${expr}`); continue; }
    if (/^\d/.test(word) || /^\d+[smhdwy]$/.test(word)) continue;
    names.push(word);
  }
  return names;
}

// ---- rules
const recorded = new Set();
const exprs = []; // [where, expr]
const rulesDir = path.join(root, "deploy/prometheus/rules");
for (const f of readdirSync(rulesDir).filter((f) => f.endsWith(".yml"))) {
  const doc = YAML.parse(readFileSync(path.join(rulesDir, f), "utf8"));
  for (const g of doc.groups || [])
    for (const r of g.rules || []) {
      if (r.record) recorded.add(r.record);
      exprs.push([`rules/${f} ${r.record || r.alert}`, String(r.expr)]);
    }
}

// ---- dashboards
const dashDir = path.join(root, "deploy/grafana/dashboards");
const uids = new Set();
const boards = readdirSync(dashDir).filter((f) => f.endsWith(".json"));
if (boards.length < 7) problems.push(`want a dashboard per service + overview (7), found ${boards.length}`);
for (const f of boards) {
  let d;
  try { d = JSON.parse(readFileSync(path.join(dashDir, f), "utf8")); } catch (e) {
    problems.push(`${f}: not JSON: ${e.message}`); continue;
  }
  if (!d.uid || !d.title || !Array.isArray(d.panels) || d.panels.length === 0) problems.push(`${f}: needs uid, title, panels`);
  if (uids.has(d.uid)) problems.push(`${f}: duplicate uid ${d.uid}`);
  uids.add(d.uid);
  const panels = d.panels.flatMap((p) => [p, ...(p.panels || [])]);
  const ids = new Set();
  for (const p of panels) {
    if (ids.has(p.id)) problems.push(`${f}: duplicate panel id ${p.id}`);
    ids.add(p.id);
    if (p.type === "row") continue;
    if (!p.gridPos || !p.targets?.length) problems.push(`${f}: panel "${p.title}" lacks gridPos or targets`);
    for (const t of p.targets || []) {
      if (!t.expr?.trim()) problems.push(`${f}: panel "${p.title}" has an empty expression`);
      else exprs.push([`${f} "${p.title}"`, t.expr]);
    }
  }
}

let checked = 0;
const used = new Set();
for (const [where, expr] of exprs) {
  const names = metricNames(expr);
  if (names.length === 0) problems.push(`${where}: no metric name in ${expr}`);
  for (const n of names) {
    checked++;
    used.add(n);
    if (!exported.has(n) && !recorded.has(n) && !declared.has(n))
      problems.push(`${where}: ${n} is neither scraped from a service nor registered in the code`);
  }
}
if (problems.length) {
  for (const p of problems) console.log(`FAIL ${p}`);
  process.exit(1);
}
const onlyDeclared = [...used].filter((n) => !exported.has(n) && !recorded.has(n));
console.log(`${boards.length} dashboards and ${exprs.length} expressions: ${checked} metric references to ` +
  `${used.size} names; ${used.size - onlyDeclared.length} scraped from ${dumps.length} running services ` +
  `(${scraped.size} names there) or recorded by the rules; ${onlyDeclared.length} registered in the code but not ` +
  `yet emitted (no event in the test): ${onlyDeclared.join(", ") || "none"}`);
