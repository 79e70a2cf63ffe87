/** The Node runtime: load the models, serve the app with @hono/node-server, shut down gracefully. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type AppOptions, createApp } from "../app.ts";
import type { ServingApp } from "../context.ts";
import { checkApiKeys } from "../middleware/api-key.ts";
import { DOCS_ASSETS_BASE, docsAssetsMount } from "./docs-assets.ts";
import type { ProviderChoice } from "./execution-provider.ts";
import { DEFAULT_POOL, type LoadedModels, loadModels } from "./load-models.ts";
import { createPromMetrics } from "./prom-metrics.ts";

/** Options of {@link startServer}: the app's options (less what the server fills in) plus where and what to serve. */
export interface ServeOptions extends Omit<AppOptions, "registry" | "metrics" | "isShuttingDown"> {
  /** Model root: `<root>/<name>/<version>/` model directories, or one model directory. */
  models: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; 0.0.0.0 in containers. */
  host?: string;
  provider?: ProviderChoice;
  /** onnxruntime intra-op threads per session (default `DEFAULT_POOL.threads`). */
  threads?: number;
  /** Worker sessions per model version (default `DEFAULT_POOL.sessions`). */
  sessions?: number;
  /** Longest wait for requests in flight at shutdown (default 10 000 ms). */
  graceMs?: number;
  /** Where start-up and shutdown lines go (default console.log). */
  print?: (line: string) => void;
}

/** A listening server. */
export interface RunningServer {
  url: string;
  port: number;
  app: ServingApp;
  models: LoadedModels;
  /** Requests being answered now. */
  inflight(): number;
  /**
   * Graceful stop: readiness fails, new requests get 503, requests in flight finish (up to `graceMs`), then the
   * listener and the sessions are closed. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Load the models and listen.
 * @throws {ArtefactError} when the model root is missing or holds no model; the error names the path
 * @throws {ConfigError} when an API key is not a bearer token
 * @example const server = await startServer({ models: "models", port: 8080 }); ...; await server.close();
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => console.log(line));
  checkApiKeys(opts.apiKeys ?? []);
  const metrics = createPromMetrics();
  const models = await loadModels(opts.models, {
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.threads ? { threads: opts.threads } : {}),
    ...(opts.sessions ? { sessions: opts.sessions } : {}),
    metrics,
    log: print,
  });
  let stopping = false;
  let inflight = 0;
  const sessions = opts.sessions ?? DEFAULT_POOL.sessions;
  const app = createApp({
    ...opts,
    // One batch per session running, plus one handed over, so no session waits for the main thread.
    batching: { maxInflight: sessions + 1, ...opts.batching },
    registry: models.registry,
    metrics,
    mounts: [...(opts.mounts ?? []), docsAssetsMount()],
    docsAssetsBase: DOCS_ASSETS_BASE,
    isShuttingDown: () => stopping,
    socketAddress: (c) => getConnInfo(c).remote.address,
  });
  const server = serve({
    fetch: async (req, env) => {
      inflight++;
      try {
        return await app.fetch(req, env);
      } finally {
        inflight--;
      }
    },
    port: opts.port ?? 8080,
    hostname: opts.host ?? "127.0.0.1",
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      void models.release();
      reject(err);
    };
    server.once("error", onError);
    server.once("listening", () => {
      server.off("error", onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const loaded = models.entries.map((e) => `${e.name} ${e.version} (${e.executionProvider})`).join(", ");
  const failed = models.failures.map((f) => `${f.name} ${f.version} (${f.dir})`).join(", ");
  print(`soilco2 serve: listening on ${url} with ${loaded}${failed ? `; NOT serving ${failed}` : ""}`);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopping = true;
      const grace = opts.graceMs ?? 10_000;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const http = server as unknown as { closeIdleConnections?(): void; closeAllConnections?(): void };
      http.closeIdleConnections?.();
      const until = Date.now() + grace;
      while (inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      if (inflight > 0)
        print(`soilco2 serve: ${inflight} requests still running after ${grace} ms; closing them`);
      http.closeAllConnections?.();
      await closed;
      await models.release();
      print("soilco2 serve: stopped");
    })();
    return closing;
  };
  return { url, port: address.port, app, models, inflight: () => inflight, close };
}

/**
 * Stop gracefully on SIGTERM or SIGINT, then exit 0; a second signal exits at once with 1.
 * @example installSignalHandlers(await startServer(opts));
 */
export function installSignalHandlers(
  server: RunningServer,
  print: (line: string) => void = console.log,
): void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) process.exit(1);
    received = true;
    print(`soilco2 serve: ${signal}: draining ${server.inflight()} requests in flight`);
    void server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
