// deploy/k6-operator/testrun.yaml against the k6-operator's TestRun schema. The facts below come
// from the operator's CRD, config/crd/bases/k6.io_testruns.yaml at grafana/k6-operator v1.6.0
// (commit cf0ae21f4e26b0dd0f99d763ae72e063b4384f2a): group k6.io, version v1alpha1, kind TestRun,
// spec.required [parallelism, script], and the fields listed here. A field the CRD does not
// have (a typo, or one from an older operator) fails; so does a wrong type.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { root } from "../../scripts/lib.mjs";

type Schema =
  | { type: "string"; enum?: string[] }
  | { type: "integer" | "boolean" }
  | { type: "array"; items: Schema }
  | { type: "object"; properties?: Record<string, Schema>; required?: string[]; open?: true };

const str: Schema = { type: "string" };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: "object", properties, required });
/** A Kubernetes object the check does not look into (affinity, probes…). */
const opaque: Schema = { type: "object", open: true };

const envVar = obj({ name: str, value: str, valueFrom: obj({ configMapKeyRef: opaque, fieldRef: obj({ apiVersion: str, fieldPath: str }, ["fieldPath"]), fileKeyRef: opaque, resourceFieldRef: opaque, secretKeyRef: opaque }) }, ["name"]);
const volumeMount = obj({ mountPath: str, mountPropagation: str, name: str, readOnly: { type: "boolean" }, recursiveReadOnly: str, subPath: str, subPathExpr: str }, ["mountPath", "name"]);
const volume = obj({ name: str, persistentVolumeClaim: obj({ claimName: str, readOnly: { type: "boolean" } }, ["claimName"]), configMap: opaque, emptyDir: opaque, secret: opaque, csi: opaque, nfs: opaque, hostPath: opaque, projected: opaque, ephemeral: opaque }, ["name"]);
/** spec.runner, spec.starter and spec.initializer share this pod template. */
const pod = obj({
  affinity: opaque,
  automountServiceAccountToken: str,
  containerSecurityContext: opaque,
  disabled: { type: "boolean" },
  env: { type: "array", items: envVar },
  envFrom: { type: "array", items: opaque },
  image: str,
  imagePullPolicy: str,
  imagePullSecrets: { type: "array", items: opaque },
  initContainers: { type: "array", items: opaque },
  livenessProbe: opaque,
  metadata: obj({ annotations: opaque, labels: opaque }),
  nodeSelector: opaque,
  priorityClassName: str,
  readinessProbe: opaque,
  resources: obj({ claims: { type: "array", items: opaque }, limits: opaque, requests: opaque }),
  schedulerName: str,
  securityContext: obj({ appArmorProfile: opaque, fsGroup: { type: "integer" }, fsGroupChangePolicy: str, runAsGroup: { type: "integer" }, runAsNonRoot: { type: "boolean" }, runAsUser: { type: "integer" }, seLinuxChangePolicy: str, seLinuxOptions: opaque, seccompProfile: opaque, supplementalGroups: { type: "array", items: { type: "integer" } }, supplementalGroupsPolicy: str, sysctls: { type: "array", items: opaque }, windowsOptions: opaque }),
  serviceAccountName: str,
  tolerations: { type: "array", items: opaque },
  topologySpreadConstraints: { type: "array", items: opaque },
  volumeMounts: { type: "array", items: volumeMount },
  volumes: { type: "array", items: volume },
});
const TESTRUN = obj(
  {
    apiVersion: { type: "string", enum: ["k6.io/v1alpha1"] },
    kind: { type: "string", enum: ["TestRun"] },
    metadata: obj({ name: str, namespace: str, labels: opaque, annotations: opaque }, ["name"]),
    spec: obj(
      {
        args: { type: "array", items: str },
        arguments: str,
        cleanup: { type: "string", enum: ["post"] },
        initializer: pod,
        parallelism: { type: "integer" },
        paused: str,
        ports: { type: "array", items: opaque },
        quiet: str,
        runner: pod,
        script: obj({ configMap: obj({ file: str, name: str }, ["name"]), localFile: str, volumeClaim: obj({ file: str, name: str, readOnly: { type: "boolean" } }, ["name"]) }),
        scuttle: opaque,
        separate: { type: "boolean" },
        starter: pod,
        testRunId: str,
        token: str,
      },
      ["parallelism", "script"],
    ),
  },
  ["apiVersion", "kind", "metadata", "spec"],
);

/** Every way `value` departs from `schema`, as "path: problem". */
function violations(value: unknown, schema: Schema, path = ""): string[] {
  const at = path || "(root)";
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      return schema.enum && !schema.enum.includes(value) ? [`${at}: "${value}" is not one of ${schema.enum.join(", ")}`] : [];
    case "integer":
      return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${at}: expected true or false, got ${JSON.stringify(value)}`];
    case "array":
      return Array.isArray(value) ? value.flatMap((v, i) => violations(v, schema.items, `${path}[${i}]`)) : [`${at}: expected a list`];
    case "object": {
      if (!value || typeof value !== "object" || Array.isArray(value)) return [`${at}: expected an object`];
      if (schema.open) return [];
      const record = value as Record<string, unknown>;
      const missing = (schema.required ?? []).filter((k) => !(k in record)).map((k) => `${path}.${k}: required`);
      const fields = Object.entries(record).flatMap(([k, v]) => {
        const sub = schema.properties?.[k];
        return sub ? violations(v, sub, `${path}.${k}`) : [`${path}.${k}: no such field in the TestRun schema`];
      });
      return [...missing, ...fields];
    }
  }
}

test("deploy/k6-operator/testrun.yaml fits the k6-operator v1.6 TestRun schema", () => {
  const doc = parse(readFileSync(join(root, "deploy", "k6-operator", "testrun.yaml"), "utf8"));
  assert.deepEqual(violations(doc, TESTRUN), []);
  // What the merge needs: every runner writes its own output file to the shared volume, and one RUN_ID.
  const runner = doc.spec.runner;
  const out = runner.env.find((e: { name: string }) => e.name === "K6_OUT")?.value as string;
  assert.match(out, /^json=\/results\/\$\(POD_NAME\)\.json\.gz$/);
  assert.ok(runner.env.findIndex((e: { name: string }) => e.name === "POD_NAME") < runner.env.findIndex((e: { name: string }) => e.name === "K6_OUT"), "POD_NAME is defined before K6_OUT refers to it");
  assert.equal(runner.volumeMounts[0].mountPath, "/results");
  assert.equal(runner.volumes.find((v: { name: string }) => v.name === runner.volumeMounts[0].name)?.persistentVolumeClaim?.claimName, "k6-results");
  assert.match(doc.spec.arguments, /-e RUN_ID=\S+/);
});

test("the schema check catches what an old or mistyped TestRun has", () => {
  const bad = { apiVersion: "k6.io/v1alpha1", kind: "K6", metadata: { name: "x" }, spec: { parallelism: "3", script: { configMap: { file: "a.js" } }, runner: { image: "grafana/k6", envs: [] }, cleanup: "always" } };
  assert.deepEqual(violations(bad, TESTRUN).sort(), [
    '.kind: "K6" is not one of TestRun',
    '.spec.cleanup: "always" is not one of post',
    '.spec.parallelism: expected an integer, got "3"',
    ".spec.runner.envs: no such field in the TestRun schema",
    ".spec.script.configMap.name: required",
  ].sort());
});
