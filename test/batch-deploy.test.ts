// deploy/k8s's batch pieces fit together: the worker and the predict-batch Job run commands the CLI accepts, on the
// serving image, against the Redis Service's address, with the one shared volume.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { buildProgram } from "../cli/main.ts";
import { REPO_ROOT } from "../ingest/cosore-path.ts";

const docs = (file: string) =>
  parseAllDocuments(readFileSync(join(REPO_ROOT, "deploy/k8s", file), "utf8")).map((d) => d.toJS());
type Pod = {
  containers: { image: string; args: string[] }[];
  volumes?: { persistentVolumeClaim?: { claimName: string } }[];
};

describe("deploy/k8s batch manifests", () => {
  const worker = docs("batch-worker.yaml");
  const redis = docs("redis.yaml");
  const serve = docs("deployment.yaml")[0];
  const pods: Pod[] = worker
    .filter((d) => d.kind === "Deployment" || d.kind === "Job")
    .map((d) => d.spec.template.spec);
  const service = redis.find((d) => d.kind === "Service");

  it("workers and the Job use the serving image and the Redis Service's address", () => {
    expect(pods.length).toBe(2);
    for (const p of pods) {
      expect(p.containers[0]!.image).toBe(serve.spec.template.spec.containers[0].image);
      const args = p.containers[0]!.args;
      expect(args[args.indexOf("--queue") + 1]).toBe(
        `redis://${service.metadata.name}:${service.spec.ports[0].port}`,
      );
    }
  });

  it("every pod mounts the one ReadWriteMany claim", () => {
    const pvc = worker.find((d) => d.kind === "PersistentVolumeClaim");
    expect(pvc.spec.accessModes).toEqual(["ReadWriteMany"]);
    for (const p of pods)
      expect(p.volumes?.map((v) => v.persistentVolumeClaim?.claimName)).toContain(pvc.metadata.name);
  });

  it("their commands parse with the CLI's options", () => {
    for (const p of pods) {
      const args = p.containers[0]!.args.slice(2); // after node bin/soilco2.js
      const program = buildProgram().exitOverride();
      const sub = program.commands.find((c) => c.name() === args[0])!;
      expect(sub, args[0]).toBeDefined();
      sub.exitOverride().action(() => {});
      expect(() => program.parse(args, { from: "user" })).not.toThrow();
    }
  });
});
