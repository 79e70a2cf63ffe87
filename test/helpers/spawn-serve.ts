// Test support: `node bin/soilco2.js serve` as a user starts it, on a free loopback port; resolves once it listens.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../../ingest/cosore-path.ts";

/** A spawned server: its URL, everything it printed so far, and a stop (SIGTERM, waits for exit). */
export interface SpawnedServer {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
  child: ChildProcess;
}

/** Start `soilco2 serve --port 0 ...args`; rejects with the output when it exits or prints no URL within `timeoutMs`. */
export function spawnServe(args: string[] = [], timeoutMs = 90_000): Promise<SpawnedServer> {
  const env = { ...process.env };
  delete env.PORT;
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, "bin", "soilco2.js"), "serve", "--port", "0", ...args],
    {
      cwd: REPO_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve printed no URL in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      resolve({
        url: m[1]!,
        output: () => out,
        child,
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    };
    child.stdout.on("data", onData);
  });
}
