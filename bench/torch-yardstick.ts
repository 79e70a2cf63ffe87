// The PyTorch yardstick of bench:train: finds an optimised torch (the wheel in /opt/wheels, installed into a venv
// under .bench/, or Debian's python3-torch with OpenBLAS), and drives bench/torch-lstm.py over stdin/stdout.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** What bench/torch-lstm.py reports about the torch it runs. */
export interface TorchInfo {
  torch: string;
  blasInfo: string;
  blasLoaded: string[];
  onednn: boolean;
  threads: number;
}

/** A running yardstick process: `time(arm, seconds)` runs Adam steps over the batches for at least `seconds`. */
export interface Yardstick {
  python: string;
  info: TorchInfo;
  time(
    arm: "onednn" | "blas",
    seconds: number,
  ): Promise<{ seconds: number; cpuSeconds: number; supervisedDays: number }>;
  close(): void;
}

const VENV = join(import.meta.dirname, "..", ".bench", "torch-venv");

/** The venv's python with the torch wheel installed, made on first use; a reason string when there is no wheel. */
export function wheelPython(log: (s: string) => void): string {
  const python = join(VENV, "bin", "python");
  if (existsSync(python) && spawnSync(python, ["-c", "import torch"]).status === 0) return python;
  const dir = process.env.TORCH_WHEEL_DIR ?? "/opt/wheels";
  const wheel = existsSync(dir) ? readdirSync(dir).find((f) => /^torch-.*cp311.*\.whl$/.test(f)) : undefined;
  if (!wheel) return `no torch wheel in ${dir} (set TORCH_WHEEL_DIR)`;
  log(
    `making ${VENV} with ${wheel} (once; --no-index --no-deps, numpy-free; typing_extensions from python3)`,
  );
  // --system-site-packages: `import torch` needs only typing_extensions, which the system python3 has.
  const steps = [
    ["python3", ["-m", "venv", "--system-site-packages", VENV]],
    [join(VENV, "bin", "pip"), ["install", "-q", "--no-index", "--no-deps", join(dir, wheel)]],
  ] as const;
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    if (r.status !== 0)
      return `${cmd} ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`;
  }
  const r = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  return r.status === 0 ? python : `import torch failed in ${VENV}: ${r.stderr.trim().split("\n").pop()}`;
}

/** Start bench/torch-lstm.py under `python` on the batches of `spec`; rejects with its stderr if it cannot start. */
export function startYardstick(python: string, spec: string): Promise<Yardstick> {
  const child: ChildProcessWithoutNullStreams = spawn(python, [
    join(import.meta.dirname, "torch-lstm.py"),
    spec,
  ]);
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  // a python that cannot be started (ENOENT, EACCES) is an 'error' event, not an exit: it becomes the rejection
  const failed = new Promise<never>((_, reject) =>
    child.once("error", (err) => reject(new Error(`cannot start ${python}: ${err.message}`))),
  );
  failed.catch(() => {});
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await Promise.race([lines.next(), failed]);
    if (r.done) throw new Error(stderr.trim().split("\n").pop() || `${python} exited`);
    return JSON.parse(r.value);
  };
  return next().then((info: TorchInfo) => ({
    python,
    info,
    async time(arm, seconds) {
      child.stdin.write(`${JSON.stringify({ arm, seconds })}\n`);
      return next();
    },
    close() {
      child.stdin.end();
    },
  }));
}

/** One line naming the torch, its BLAS (as built and as loaded at run time), oneDNN and threads. */
export function describeTorch(y: Yardstick): string {
  const i = y.info;
  const loaded = i.blasLoaded.length > 0 ? i.blasLoaded.join(", ") : "none mapped";
  return `PyTorch ${i.torch} (${y.python}): BLAS_INFO=${i.blasInfo}, BLAS loaded: ${loaded}; oneDNN ${i.onednn ? "available" : "absent"}; ${i.threads} threads`;
}

/** True when the BLAS loaded at run time is the reference BLAS (not a yardstick: the issue this bench answers). */
export function isReferenceBlas(info: TorchInfo): boolean {
  return (
    info.blasLoaded.some((p) => /\/blas\/libblas\.so/.test(p)) &&
    !info.blasLoaded.some((p) => /openblas|mkl/i.test(p))
  );
}
