"""examples/kubernetes/ read as Kubernetes would wire it: every document
parses, the kinds are the ones the docs promise, the Deployment runs three
replicas with a git-sync sidecar, probes /ready and /health, names each
replica after its pod, reads the database password from the Secret that is
there, and the Service and the PodDisruptionBudget select exactly the pods
the Deployment makes. Writes the ConfigMap's cronmetrics.yaml to argv[2]
for `cronmetrics config validate`."""
import glob
import os
import sys

import yaml

folder, config_out = sys.argv[1], sys.argv[2]
docs = []
for path in sorted(glob.glob(os.path.join(folder, "*.yaml"))):
    with open(path) as f:
        docs += [(path, d) for d in yaml.safe_load_all(f) if d is not None]
by_kind = {}
for path, doc in docs:
    for field in ("apiVersion", "kind", "metadata"):
        assert field in doc, f"{path}: no {field}"
    by_kind.setdefault(doc["kind"], []).append(doc)
assert sorted(by_kind) == ["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service"], sorted(by_kind)

deployment = by_kind["Deployment"][0]
spec = deployment["spec"]
assert spec["replicas"] == 3, spec["replicas"]
pod_labels = spec["template"]["metadata"]["labels"]
assert spec["selector"]["matchLabels"].items() <= pod_labels.items(), "the Deployment selects its own pods"
containers = {c["name"]: c for c in spec["template"]["spec"]["containers"]}
assert sorted(containers) == ["cronmetrics", "git-sync"], sorted(containers)
server = containers["cronmetrics"]
assert server["readinessProbe"]["httpGet"]["path"] == "/ready"
assert server["livenessProbe"]["httpGet"]["path"] == "/health"
env = {e["name"]: e for e in server["env"]}
assert env["CRONMETRICS_HA_REPLICA_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
secrets = {s["metadata"]["name"]: s for s in by_kind["Secret"]}
for e in env.values():
    ref = e.get("valueFrom", {}).get("secretKeyRef")
    if ref:
        assert ref["key"] in secrets[ref["name"]]["stringData"], f"secret {ref['name']} has no key {ref['key']}"
volumes = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
for container in containers.values():
    for mount in container.get("volumeMounts", []):
        assert mount["name"] in volumes, f"{container['name']} mounts {mount['name']}, which is not a volume"
configmap = by_kind["ConfigMap"][0]
assert volumes["config"]["configMap"]["name"] == configmap["metadata"]["name"]

service = by_kind["Service"][0]
assert service["spec"]["selector"].items() <= pod_labels.items(), "the Service selects the pods"
assert service["spec"]["ports"][0]["targetPort"] in [p["name"] for p in server["ports"]]
pdb = by_kind["PodDisruptionBudget"][0]
assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items(), "the budget covers the pods"
assert pdb["spec"]["minAvailable"] == 2

config = yaml.safe_load(configmap["data"]["cronmetrics.yaml"])
assert config["jobs"]["read_only"] is True, "replicas change jobs.d in git only"
assert config["storage"]["password_env"] in env, "the password's variable is set from the Secret"
assert config["jobs"]["dir"].startswith(containers["cronmetrics"]["volumeMounts"][2]["mountPath"])
with open(config_out, "w") as f:
    f.write(configmap["data"]["cronmetrics.yaml"])
print(f"kubernetes: {len(docs)} documents wired together")
