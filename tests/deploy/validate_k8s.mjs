// Validates a rendered kustomize overlay (multi-document YAML) offline:
//   1. every object against its Kubernetes schema (npm kubernetes-models: the OpenAPI
//      schemas of the API, compiled; unknown kinds are errors);
//   2. Gridwork's own rules: non-root read-only pods with dropped capabilities, requests and
//      limits, native gRPC probes on the gRPC port, one replica per store StatefulSet with its
//      data on a volume claim, every referenced ConfigMap/Secret/claim/Service present, flags
//      that name real Services and ports, one PDB per workload, and NetworkPolicies that allow
//      exactly the calls of DESIGN.md section 3.
// Usage: node validate_k8s.mjs <node_modules dir> <rendered.yaml> <dev|prod>
// Prints one line per problem and exits 1 if there is any; else a summary and exit 0.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, renderedFile, overlay] = process.argv.slice(2);
if (!modulesDir || !renderedFile || !["dev", "prod"].includes(overlay)) {
  console.error("usage: node validate_k8s.mjs <node_modules> <rendered.yaml> <dev|prod>");
  process.exit(2);
}
const load = (spec) => import(pathToFileURL(path.join(modulesDir, spec)).href);
const YAML = await load("yaml/dist/index.js");

const problems = [];
const fail = (obj, msg) =>
  problems.push(`${obj ? `${obj.kind}/${obj.metadata?.name}: ` : ""}${msg}`);

// ---- 1. parse and schema-validate
const docs = YAML.parseAllDocuments(readFileSync(renderedFile, "utf8"));
const objects = [];
for (const doc of docs) {
  if (doc.errors.length) { fail(null, `YAML: ${doc.errors[0].message}`); continue; }
  const obj = doc.toJS();
  if (obj) objects.push(obj);
}
if (objects.length === 0) fail(null, "the render is empty");

async function schemaModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const dir = group ? `${group}/${version}` : version;
  return load(`kubernetes-models/${dir}/index.mjs`);
}
for (const obj of objects) {
  if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
    fail(obj, "lacks apiVersion, kind or metadata.name");
    continue;
  }
  let mod;
  try { mod = await schemaModule(obj.apiVersion); } catch {
    fail(obj, `unknown apiVersion ${obj.apiVersion}`);
    continue;
  }
  const Model = mod[obj.kind];
  if (!Model) { fail(obj, `unknown kind ${obj.kind} in ${obj.apiVersion}`); continue; }
  // kustomize wraps long base64 values; Go's decoder (the API server) skips the newlines.
  const checked = obj.kind === "Secret" && obj.data
    ? { ...obj, data: Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v).replace(/\s/g, "")])) }
    : obj;
  try { new Model(checked).validate(); } catch (e) { fail(obj, `schema: ${e.message}`); }
}

// ---- 2. Gridwork's rules
// Namespaces: every namespaced object in the overlay's, none on a cluster-scoped one (old
// kustomize puts one on kinds it does not know are cluster-scoped, e.g. StorageClass).
const NAMESPACE = { dev: "gridwork-dev", prod: "gridwork" }[overlay];
const CLUSTER_SCOPED = new Set(["Namespace", "StorageClass", "PersistentVolume", "ClusterRole",
  "ClusterRoleBinding", "PriorityClass", "IngressClass", "CustomResourceDefinition"]);
for (const o of objects) {
  if (!o.metadata?.name) continue;
  if (CLUSTER_SCOPED.has(o.kind)) {
    if (o.metadata.namespace !== undefined) fail(o, `cluster-scoped, but has namespace ${o.metadata.namespace}`);
    continue;
  }
  if (o.metadata.namespace !== NAMESPACE) fail(o, `namespace ${o.metadata.namespace}, want ${NAMESPACE}`);
  if (o.metadata.labels?.["app.kubernetes.io/part-of"] !== "gridwork") fail(o, "no label app.kubernetes.io/part-of=gridwork");
}
const byKind = (k) => objects.filter((o) => o.kind === k);
const names = (k) => new Set(byKind(k).map((o) => o.metadata.name));
const configMaps = new Map(byKind("ConfigMap").map((o) => [o.metadata.name, o]));
const secrets = names("Secret");
const claims = names("PersistentVolumeClaim");
const services = new Map(byKind("Service").map((o) => [o.metadata.name, o]));
// Created out of band in production (docs/operations.md, "Rotate keys").
const externalSecrets = overlay === "prod" ? new Set(["gridwork-keys", "gridwork-tls"]) : new Set();
const matches = (selector, labels) =>
  Object.entries(selector || {}).every(([k, v]) => labels?.[k] === v) &&
  Object.keys(selector || {}).length > 0;

// The schema types quantities as strings only; the API server parses them.
const QUANTITY = /^([+-]?[0-9.]+)([eE][+-]?[0-9]+|[KMGTPE]i|[mkMGTPE])?$/;
const isQuantity = (q) => q !== undefined && QUANTITY.test(String(q));
const quantity = (q) => {
  const [, n, u = ""] = String(q).match(QUANTITY);
  const f = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
              Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 }[u];
  return Number(n) * (f ?? (u ? Number(`1${u}`) : 1));
};
const workloads = [...byKind("StatefulSet"), ...byKind("Deployment")];
if (workloads.length === 0) fail(null, "no workloads rendered");
const portOf = (c, name) => c.ports?.find((p) => p.name === name)?.containerPort;
const flagsOf = (text) => {
  const flags = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^--([a-z_]+)=(.*)$/);
    if (m) flags[m[1]] = m[2];
    else if (line.trim() && !line.startsWith("#")) flags[`!bad line: ${line}`] = "";
  }
  return flags;
};

for (const w of workloads) {
  const pod = w.spec.template.spec;
  const labels = w.spec.template.metadata?.labels || {};
  if (!matches(w.spec.selector?.matchLabels, labels)) fail(w, "selector does not match its pod labels");
  if (pod.securityContext?.runAsNonRoot !== true) fail(w, "pod runAsNonRoot is not true");
  if (!(pod.securityContext?.runAsUser > 0)) fail(w, "pod runAsUser is not a non-root uid");
  if (w.kind === "StatefulSet") {
    if (w.spec.replicas !== 1) fail(w, "a store StatefulSet must have exactly 1 replica (one RocksDB writer)");
    if (!services.has(w.spec.serviceName)) fail(w, `serviceName ${w.spec.serviceName} is not rendered`);
    const vct = (w.spec.volumeClaimTemplates || []).map((v) => v.metadata.name);
    if (!vct.includes("data")) fail(w, "no volumeClaimTemplate named data");
    for (const v of w.spec.volumeClaimTemplates || [])
      if (!isQuantity(v.spec?.resources?.requests?.storage)) fail(w, `claim ${v.metadata.name}: storage is not a quantity`);
  }
  if (overlay === "dev" && w.spec.replicas !== 1) fail(w, "dev runs one replica");
  const volumes = new Map((pod.volumes || []).map((v) => [v.name, v]));
  for (const v of volumes.values()) {
    if (v.configMap && !configMaps.has(v.configMap.name)) fail(w, `ConfigMap ${v.configMap.name} not rendered`);
    if (v.secret && !secrets.has(v.secret.secretName) && !externalSecrets.has(v.secret.secretName))
      fail(w, `Secret ${v.secret.secretName} not rendered`);
    if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName))
      fail(w, `claim ${v.persistentVolumeClaim.claimName} not rendered`);
  }
  for (const c of pod.containers || []) {
    const sc = c.securityContext || {};
    if (sc.readOnlyRootFilesystem !== true) fail(w, `${c.name}: root filesystem not read-only`);
    if (sc.allowPrivilegeEscalation !== false) fail(w, `${c.name}: privilege escalation allowed`);
    if (!(sc.capabilities?.drop || []).includes("ALL")) fail(w, `${c.name}: capabilities not dropped`);
    for (const kind of ["requests", "limits"])
      for (const r of ["cpu", "memory"]) {
        const q = c.resources?.[kind]?.[r];
        if (!q) fail(w, `${c.name}: no ${kind}.${r}`);
        else if (!isQuantity(q)) fail(w, `${c.name}: ${kind}.${r} "${q}" is not a quantity`);
      }
    for (const r of ["cpu", "memory"])
      if (isQuantity(c.resources?.requests?.[r]) && isQuantity(c.resources?.limits?.[r]) &&
          quantity(c.resources.requests[r]) > quantity(c.resources.limits[r]))
        fail(w, `${c.name}: ${r} request above its limit`);
    const grpcPort = portOf(c, "grpc");
    if (!grpcPort) fail(w, `${c.name}: no container port named grpc`);
    if (!portOf(c, "metrics")) fail(w, `${c.name}: no container port named metrics`);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      if (c[probe]?.grpc?.port !== grpcPort) fail(w, `${c.name}: ${probe} is not a gRPC probe on port ${grpcPort}`);
    }
    const mounts = new Map((c.volumeMounts || []).map((m) => [m.mountPath, m.name]));
    const dataVolume = mounts.get("/var/lib/gridwork");
    if (!dataVolume) fail(w, `${c.name}: nothing mounted at /var/lib/gridwork`);
    else if (volumes.get(dataVolume)?.emptyDir) fail(w, `${c.name}: data on an emptyDir`);
    // The flags file: listen ports = container ports, data on the volume, peers = Services.
    const flagsVolume = volumes.get(mounts.get("/etc/gridwork/flags"));
    const cm = flagsVolume && configMaps.get(flagsVolume.configMap?.name);
    if (!cm?.data?.flags) { fail(w, `${c.name}: no flags ConfigMap at /etc/gridwork/flags`); continue; }
    if (!(c.args || []).includes("--flagfile=/etc/gridwork/flags/flags")) fail(w, `${c.name}: flagfile not passed`);
    const flags = flagsOf(cm.data.flags);
    for (const k of Object.keys(flags)) if (k.startsWith("!")) fail(w, `flags: ${k.slice(1)}`);
    if (!flags.grpc_addr?.endsWith(`:${grpcPort}`)) fail(w, `--grpc_addr ${flags.grpc_addr} is not on port ${grpcPort}`);
    if (!flags.metrics_addr?.endsWith(`:${portOf(c, "metrics")}`)) fail(w, `--metrics_addr ${flags.metrics_addr} is not the metrics port`);
    if (!flags.data_dir?.startsWith("/var/lib/gridwork/")) fail(w, `--data_dir ${flags.data_dir} is not on the volume`);
    for (const [flag, value] of Object.entries(flags)) {
      if (!flag.endsWith("_addr") || ["grpc_addr", "metrics_addr", "http_addr"].includes(flag)) continue;
      const [host, port] = value.split(":");
      const svc = services.get(host);
      if (!svc) { fail(w, `--${flag}=${value}: no Service ${host}`); continue; }
      const sp = svc.spec.ports.find((p) => p.name === "grpc");
      if (String(sp?.port) !== port) fail(w, `--${flag}=${value}: Service ${host} has no grpc port ${port}`);
      const peer = flag.replace(/_addr$/, "");
      if (svc.spec.selector?.["app.kubernetes.io/name"] !== peer) fail(w, `--${flag}=${value} selects ${svc.spec.selector?.["app.kubernetes.io/name"]}, not ${peer}`);
    }
  }
  const pdbs = byKind("PodDisruptionBudget").filter((p) => matches(p.spec.selector?.matchLabels, labels));
  if (pdbs.length !== 1) fail(w, `selected by ${pdbs.length} PodDisruptionBudgets, want 1`);
}

for (const s of services.values()) {
  for (const p of s.spec.ports || []) {
    if (!["grpc", "http", "metrics"].includes(p.name)) fail(s, `port ${p.port} named ${p.name}, not grpc/http/metrics`);
  }
  const selected = workloads.filter((w) => matches(s.spec.selector, w.spec.template.metadata?.labels));
  if (selected.length !== 1) fail(s, `selects ${selected.length} workloads, want 1`);
  else {
    const c = selected[0].spec.template.spec.containers[0];
    for (const p of s.spec.ports || [])
      if (!portOf(c, p.targetPort ?? p.name)) fail(s, `targetPort ${p.targetPort} is not a container port`);
  }
}
for (const h of byKind("HorizontalPodAutoscaler")) {
  const t = h.spec.scaleTargetRef;
  if (!workloads.some((w) => w.kind === t.kind && w.metadata.name === t.name)) fail(h, `targets missing ${t.kind}/${t.name}`);
}

// ---- NetworkPolicies: the allowed (caller -> callee:port) edges, ingress AND egress.
const appOf = (w) => w.spec.template.metadata.labels["app.kubernetes.io/name"];
const apps = new Map(workloads.map((w) => [appOf(w), w]));
const policies = byKind("NetworkPolicy");
const selects = (np, labels) =>
  Object.keys(np.spec.podSelector?.matchLabels || {}).length === 0 || matches(np.spec.podSelector.matchLabels, labels);
const denyAll = policies.find((np) => Object.keys(np.spec.podSelector || {}).length === 0 &&
  ["Ingress", "Egress"].every((t) => np.spec.policyTypes?.includes(t)) && !np.spec.ingress && !np.spec.egress);
if (!denyAll) fail(null, "no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)");
const peerAllows = (peers, labels) =>
  !peers || peers.some((p) => !p.namespaceSelector && p.podSelector && matches(p.podSelector.matchLabels, labels));
const portAllows = (ports, port) => !ports || ports.some((p) => p.port === port);
const allowed = (caller, callee, port) => {
  const from = caller.spec.template.metadata.labels, to = callee.spec.template.metadata.labels;
  const inOk = policies.some((np) => selects(np, to) && np.spec.policyTypes?.includes("Ingress") &&
    (np.spec.ingress || []).some((r) => peerAllows(r.from, from) && portAllows(r.ports, port)));
  const outOk = policies.some((np) => selects(np, from) && np.spec.policyTypes?.includes("Egress") &&
    (np.spec.egress || []).some((r) => peerAllows(r.to, to) && portAllows(r.ports, port)));
  return inOk && outOk;
};
const expected = new Set([
  ...["location", "geofence", "workorder", "inspection", "analytics"].map((s) => `gateway->${s}`),
  "geofence->location", "location->geofence", "workorder->geofence",
  "inspection->location", "inspection->geofence", "inspection->workorder",
  "analytics->location", "analytics->geofence", "analytics->workorder", "analytics->inspection",
]);
const got = new Set();
for (const [a, wa] of apps) for (const [b, wb] of apps) {
  if (a === b) continue;
  for (const c of wb.spec.template.spec.containers)
    for (const p of c.ports || [])
      if (allowed(wa, wb, p.containerPort)) got.add(p.name === "grpc" ? `${a}->${b}` : `${a}->${b}:${p.name}`);
}
for (const e of expected) if (!got.has(e)) fail(null, `NetworkPolicy: ${e} is needed (DESIGN.md section 3) but not allowed`);
for (const e of got) if (!expected.has(e)) fail(null, `NetworkPolicy: ${e} is allowed but not in DESIGN.md section 3`);
// Prometheus (namespace monitoring) reaches every metrics port, and only that.
for (const [a, w] of apps) {
  const labels = w.spec.template.metadata.labels;
  const c = w.spec.template.spec.containers[0];
  const prom = (port) => policies.some((np) => selects(np, labels) &&
    (np.spec.ingress || []).some((r) => (r.from || []).some((f) =>
      f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "monitoring" &&
      f.podSelector?.matchLabels?.["app.kubernetes.io/name"] === "prometheus") && portAllows(r.ports, port)));
  if (!prom(portOf(c, "metrics"))) fail(w, "Prometheus cannot reach the metrics port");
  if (prom(portOf(c, "grpc"))) fail(w, "Prometheus may reach the gRPC port");
}

// ---- prod: shards and the routing contract
if (overlay === "prod") {
  const routing = [...configMaps.values()].find((c) => c.metadata.name.startsWith("gateway-routing"));
  if (!routing) fail(null, "no gateway-routing ConfigMap");
  else {
    const r = YAML.parse(routing.data["routing.yaml"]);
    for (const [svc, spec] of Object.entries(r.services || {})) {
      const shardSets = byKind("StatefulSet").filter((s) => appOf(s) === svc);
      if (shardSets.length < 2) fail(null, `prod: ${svc} has ${shardSets.length} shard(s), want >= 2`);
      const want = spec.key === "worker" ? r.worker_shards : Object.keys(r.district_shards);
      if (JSON.stringify(Object.keys(spec.shards).sort()) !== JSON.stringify([...want].sort()))
        fail(null, `routing: ${svc} shards ${Object.keys(spec.shards)} != ${want}`);
      for (const [shard, addr] of Object.entries(spec.shards)) {
        const [host, port] = addr.split(":");
        const s = services.get(host);
        if (!s || String(s.spec.ports.find((p) => p.name === "grpc")?.port) !== port)
          fail(null, `routing: ${svc}/${shard} -> ${addr} is no rendered grpc Service port`);
        else if (s.spec.selector?.["gridwork.io/shard"] !== shard) fail(s, `routing: serves shard ${s.spec.selector?.["gridwork.io/shard"]}, not ${shard}`);
      }
    }
    const districts = Object.values(r.district_shards).flat();
    if (new Set(districts).size !== districts.length) fail(null, "routing: a district is in two shards");
  }
  if (byKind("Secret").length) fail(null, "prod renders a Secret (placeholders must not reach production)");
}

if (problems.length) {
  for (const p of problems) console.log(`FAIL ${overlay}: ${p}`);
  console.log(`${overlay}: ${problems.length} problem(s) in ${objects.length} objects`);
  process.exit(1);
}
const count = {};
for (const o of objects) count[o.kind] = (count[o.kind] || 0) + 1;
console.log(`${overlay}: ${objects.length} objects valid (${Object.entries(count).map(([k, n]) => `${n} ${k}`).join(", ")}); ${got.size} allowed calls = DESIGN.md section 3`);
