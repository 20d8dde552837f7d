#!/usr/bin/env python3
"""Checks deploy/ without a cluster or a Docker engine: every YAML/JSON file parses, the Kubernetes documents
have their required fields, and the names the manifests and the dashboard use exist in the code (metric names
in operators/, the job's entry class and flags in jobs/). Run from anywhere: python3 deploy/check.py [--root DIR] (DIR: another checkout whose operators/ and jobs/ to
check against, e.g. an export of a branch not merged yet)."""
import json
import pathlib
import re
import sys

import yaml

DEPLOY = pathlib.Path(__file__).resolve().parent
ROOT = pathlib.Path(sys.argv[2]).resolve() if sys.argv[1:2] == ["--root"] else DEPLOY.parent
errors = []


def sources(module):
    return list((ROOT / module / "src" / "main").rglob("*.java"))


def check_syntax():
    docs = {}
    for path in sorted(DEPLOY.rglob("*.y*ml")):
        try:
            docs[path] = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        except yaml.YAMLError as e:
            errors.append(f"{path.relative_to(ROOT)}: not valid YAML: {e}")
    for path in sorted(DEPLOY.rglob("*.json")):
        try:
            json.loads(path.read_text())
        except json.JSONDecodeError as e:
            errors.append(f"{path.relative_to(ROOT)}: not valid JSON: {e}")
    for path, items in docs.items():
        if path.parent.name != "k8s":
            continue
        for d in items:
            for key in ("apiVersion", "kind"):
                if key not in d:
                    errors.append(f"{path.relative_to(ROOT)}: a document lacks {key}")
            if "name" not in d.get("metadata", {}):
                errors.append(f"{path.relative_to(ROOT)}: {d.get('kind')} lacks metadata.name")
    return docs


def dashboard_metrics():
    dash = json.loads((DEPLOY / "grafana" / "streamlm-dashboard.json").read_text())
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    rules = yaml.safe_load((DEPLOY / "prometheus" / "streamlm-rules.yml").read_text())
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = set()
    for e in exprs:
        for name in re.findall(r"streamlm:[a-z0-9_]+", e):
            if ":" in name[len("streamlm:"):]:
                continue
            used.add(re.sub(r"_(bucket|sum|count|total)$", "", name))
    return used


def check_metric_names():
    defined = set()
    for f in sources("operators"):
        for name in re.findall(r'"(streamlm:[a-z0-9_]+)"', f.read_text()):
            defined.add(re.sub(r"_total$", "", name))
    used = {m for m in dashboard_metrics() if not m.endswith(("p99_5m", "rate5m"))}
    if not defined:
        print("NOT CHECKED: no streamlm: metric definitions under operators/src/main (pipeline not merged)")
        return
    for m in sorted(used - defined):
        errors.append(f"dashboard/rules use {m}, which operators/ does not define")
    print(f"metric names: {len(used)} used by the dashboard and rules, {len(defined)} defined in operators/")


def check_job(docs):
    deployment = next(d for d in docs[DEPLOY / "k8s" / "flink-deployment.yaml"] if d["kind"] == "FlinkDeployment")
    job = deployment["spec"]["job"]
    files = sources("jobs")
    if not files:
        print("NOT CHECKED: no job sources under jobs/src/main (pipeline not merged)")
        return
    entry = ROOT / "jobs" / "src" / "main" / "java" / (job["entryClass"].replace(".", "/") + ".java")
    if not entry.exists():
        errors.append(f"entryClass {job['entryClass']} not found at {entry.relative_to(ROOT)}")
    text = "\n".join(f.read_text() for f in files + sources("operators"))
    for flag in [a for a in job.get("args", []) if a.startswith("--")]:
        if f'"{flag}"' not in text and f'"{flag[2:]}"' not in text:
            errors.append(f"job arg {flag} is not a flag the job sources know")
    secret = next(d for d in docs[DEPLOY / "k8s" / "job-config-secret.yaml"] if d["kind"] == "Secret")
    keys = [line.split("=", 1)[0].strip() for line in secret["stringData"]["job.properties"].splitlines()
            if "=" in line and not line.lstrip().startswith("#")]
    for key in keys:
        if not key.startswith("kafka.") and f'"{key}"' not in text:
            errors.append(f"job.properties key {key} is not a setting the job sources know")
    print(f"job: entry class, {sum(a.startswith('--') for a in job.get('args', []))} flags and {len(keys)} "
          f"job.properties keys checked")


docs = check_syntax()
print(f"syntax: {len(docs)} YAML files, {len(list(DEPLOY.rglob('*.json')))} JSON files parsed")
check_metric_names()
check_job(docs)
for e in errors:
    print("ERROR:", e)
sys.exit(1 if errors else 0)
