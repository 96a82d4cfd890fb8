// Every kustomization.yaml under k8s/ uses only what kustomize v2.0 reads: Debian bookworm's
// kubectl 1.20 (package kubernetes-client, what a bare CI machine gets) bundles kustomize
// v2.0.3, which rejects or silently ignores the newer fields (labels, patches, components,
// replacements, per-generator options, label-selector or inline patch targets, directories
// under resources). A newer kubectl renders them fine, so without this check a developer's
// machine would not notice what breaks CI (docs/operations.md, "Checks").
// Usage: node kustomize_compat.mjs <node_modules dir> <k8s dir>
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [modulesDir, k8sDir] = process.argv.slice(2);
if (!modulesDir || !k8sDir) {
  console.error("usage: node kustomize_compat.mjs <node_modules> <k8s dir>");
  process.exit(2);
}
const YAML = await import(pathToFileURL(path.join(modulesDir, "yaml/dist/index.js")).href);

// The Kustomization fields of kustomize v2.0.3 (its types.Kustomization), minus `patches`
// (there a deprecated alias of patchesStrategicMerge, a list of file names).
const TOP = new Set(["apiVersion", "kind", "resources", "bases", "namespace", "namePrefix",
  "nameSuffix", "commonLabels", "commonAnnotations", "patchesStrategicMerge", "patchesJson6902",
  "configMapGenerator", "secretGenerator", "generatorOptions", "vars", "images", "crds",
  "configurations"]);
const GENERATOR = new Set(["name", "behavior", "files", "literals", "env"]);
const SECRET_GENERATOR = new Set([...GENERATOR, "type"]);
const JSON6902 = new Set(["target", "path"]);
const TARGET = new Set(["group", "version", "kind", "name", "namespace"]);
const GENERATOR_OPTIONS = new Set(["labels", "annotations", "disableNameSuffixHash"]);

const problems = [];
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (["kustomization.yaml", "kustomization.yml", "Kustomization"].includes(e.name)) files.push(p);
  }
};
walk(k8sDir);
if (files.length === 0) problems.push(`no kustomization.yaml under ${k8sDir}`);

const unknown = (where, obj, allowed) => {
  for (const k of Object.keys(obj || {})) if (!allowed.has(k)) problems.push(`${where}: "${k}"`);
};
for (const f of files) {
  const rel = path.relative(k8sDir, f);
  const k = YAML.parse(readFileSync(f, "utf8")) || {};
  unknown(rel, k, TOP);
  for (const r of k.resources || []) {
    let isDir = false;
    try { isDir = statSync(path.join(path.dirname(f), r)).isDirectory(); } catch { /* missing: the render fails */ }
    if (isDir) problems.push(`${rel}: resources: "${r}" is a directory (put it under bases:)`);
  }
  for (const g of k.configMapGenerator || []) unknown(`${rel}: configMapGenerator ${g.name}`, g, GENERATOR);
  for (const g of k.secretGenerator || []) unknown(`${rel}: secretGenerator ${g.name}`, g, SECRET_GENERATOR);
  unknown(`${rel}: generatorOptions`, k.generatorOptions, GENERATOR_OPTIONS);
  for (const p of k.patchesJson6902 || []) {
    unknown(`${rel}: patchesJson6902`, p, JSON6902);
    unknown(`${rel}: patchesJson6902 target`, p.target, TARGET);
    if (!p.path || !p.target?.kind || !p.target?.name || !p.target?.version)
      problems.push(`${rel}: patchesJson6902 needs path and a target with version, kind and name`);
  }
  for (const p of k.patchesStrategicMerge || [])
    if (typeof p !== "string" || p.includes("\n")) problems.push(`${rel}: patchesStrategicMerge: only file names`);
}

if (problems.length) {
  for (const p of problems) console.log(`FAIL kustomize v2.0 (Debian's kubectl 1.20) cannot use ${p}`);
  process.exit(1);
}
console.log(`kustomize v2.0 fields only: ${files.length} kustomization files`);
