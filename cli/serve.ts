/** `soilco2 serve`: the prediction service (Hono on onnxruntime-node) over a model root, with graceful shutdown; the server is loaded only when it starts. */
import { fileURLToPath } from "node:url";
import { type Command, Option } from "commander";
import { ConfigError } from "../core/errors.ts";
import { PACKAGE_VERSION } from "../io/package-version.ts";
import { DEFAULT_BATCHING, DEFAULT_POOL, DEFAULT_SERVING_LIMITS } from "../serving/default-limits.ts";
import { checkApiKeys } from "../serving/middleware/api-key.ts";
import type { ProviderChoice } from "../serving/node/execution-provider.ts";
import type { ServeOptions } from "../serving/node/server.ts";
import { collect, formatSize, intIn, parseRate, parseSize } from "./parse-options.ts";

export { parseRate, parseSize };

/** The package's `models/` folder: the default model root. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL("../models/", import.meta.url));

interface ServeFlags {
  models: string;
  port: number;
  host: string;
  maxBatch: number;
  maxBatchDays: number;
  maxWaitMs: number;
  maxQueue: number;
  batching: boolean;
  cors?: string;
  apiKey: string[];
  rateLimit?: number;
  siteDaysRate?: number;
  trustedProxies: number;
  public: string[];
  maxRequestSiteDays: number;
  maxQueuedSiteDays: number;
  maxBody: number;
  maxSites: number;
  maxDays: number;
  timeoutMs: number;
  provider: ProviderChoice;
  threads: number;
  sessions: number;
  graceMs: number;
}

/**
 * Turn the flags into {@link ServeOptions}; API keys also come from `SOILCO2_API_KEYS` (comma-separated).
 * @throws {ConfigError} for a bad provider, or an API key that is not a bearer token (e.g. holds a space)
 */
export function serveOptions(o: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const fromEnv = (env.SOILCO2_API_KEYS ?? "").split(",").map((k) => k.trim());
  const keys = [...o.apiKey, ...fromEnv].filter((k) => k !== "");
  checkApiKeys(keys);
  if (o.provider !== "auto" && o.provider !== "cpu" && o.provider !== "cuda")
    throw new ConfigError(`--provider ${String(o.provider)} is not one of auto, cpu, cuda`);
  return {
    models: o.models,
    port: o.port,
    host: o.host,
    provider: o.provider,
    threads: o.threads,
    sessions: o.sessions,
    graceMs: o.graceMs,
    limits: {
      maxSites: o.maxSites,
      maxDays: o.maxDays,
      maxBodyBytes: o.maxBody,
      timeoutMs: o.timeoutMs,
      maxRequestSiteDays: o.maxRequestSiteDays,
      maxQueuedSiteDays: o.maxQueuedSiteDays,
    },
    batching: {
      enabled: o.batching,
      maxBatch: o.maxBatch,
      maxBatchDays: o.maxBatchDays,
      maxWaitMs: o.maxWaitMs,
      maxQueue: o.maxQueue,
    },
    ...(o.cors ? { cors: { origins: o.cors === "*" ? "*" : o.cors.split(",").map((s) => s.trim()) } } : {}),
    ...(keys.length > 0 ? { apiKeys: keys } : {}),
    ...(o.public.length > 0 ? { publicPaths: o.public } : {}),
    ...(o.rateLimit
      ? {
          rateLimit: {
            perMinute: o.rateLimit,
            ...(o.siteDaysRate ? { siteDaysPerMinute: o.siteDaysRate } : {}),
          },
        }
      : {}),
    trustedProxies: o.trustedProxies,
    server: { name: "soilco2", version: PACKAGE_VERSION },
  };
}

/** A listen error as one line with what to do next (port in use, no permission, unknown host). */
export function listenError(err: unknown, port: number, host: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === "EADDRINUSE")
    return new ConfigError(
      `port ${port} on ${host} is already in use`,
      "stop the other server, or pick a free port: --port <n> (or PORT=<n>; --port 0 takes any free one)",
    );
  if (code === "EACCES")
    return new ConfigError(
      `no permission to listen on port ${port}`,
      "ports below 1024 need privileges: use --port 8080 or another port above 1023",
    );
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new ConfigError(
      `cannot listen on host ${host}`,
      "use an address of this machine: --host 127.0.0.1, or --host 0.0.0.0 for every interface",
    );
  return err;
}

const ms = (n: number) => `${n} ms`;

/** Add the `serve` sub-command to a program. */
export function registerServe(program: Command): Command {
  const d = DEFAULT_SERVING_LIMITS;
  const B = DEFAULT_BATCHING;
  const envPort = process.env.PORT || undefined;
  const opt = (flags: string, text: string) => new Option(flags, text);
  return program
    .command("serve")
    .description(
      "serve predictions over HTTP: /v1/predict, KServe v2 (/v2/...), /openapi.json, /docs, /demo, /metrics",
    )
    .addOption(
      opt(
        "--models <dir>",
        "model root: <dir>/<name>/<version>/ model directories, or one model directory",
      ).default(DEFAULT_MODELS_DIR, "the models/ folder shipped with soilco2"),
    )
    .addOption(
      opt("--port <n>", "TCP port (0: any free port); reads $PORT when the flag is left out")
        .argParser(intIn(0, 65_535))
        .default(
          envPort === undefined ? 8080 : Number(envPort),
          envPort ? `$PORT = ${envPort}` : "$PORT, else 8080",
        ),
    )
    .addOption(
      opt("--host <host>", "address to listen on (0.0.0.0 in containers); reads $HOST").default(
        process.env.HOST ?? "127.0.0.1",
      ),
    )
    .addOption(
      opt("--max-batch <sites>", "most sites per model call")
        .argParser(intIn(1))
        .default(B.maxBatch, `${B.maxBatch} sites`),
    )
    .addOption(
      opt("--max-batch-days <site-days>", "most site-days per model call")
        .argParser(intIn(1))
        .default(B.maxBatchDays, `${B.maxBatchDays} site-days`),
    )
    .addOption(
      opt(
        "--max-wait-ms <ms>",
        "longest wait of a queued site for company while a batch runs (never when idle)",
      )
        .argParser(intIn(0, 60_000))
        .default(B.maxWaitMs, ms(B.maxWaitMs)),
    )
    .addOption(
      opt("--max-queue <sites>", "most sites queued per model before 503")
        .argParser(intIn(1))
        .default(B.maxQueue, `${B.maxQueue} sites`),
    )
    .option("--no-batching", "run every request alone (no micro-batching)")
    .option("--cors <origins>", 'allowed browser origins, comma-separated, or "*" (default: no CORS headers)')
    .addOption(
      opt("--api-key <key>", "require this bearer API key (repeatable; also SOILCO2_API_KEYS=k1,k2)")
        .argParser(collect)
        .default([], "none: open"),
    )
    .addOption(
      opt(
        "--public <path>",
        "with API keys, leave this path open too, e.g. /metrics or /demo/* (repeatable; health is always open)",
      )
        .argParser(collect)
        .default([], "none"),
    )
    .option(
      "--rate-limit <rate>",
      "requests per client address, e.g. 600/min or 10/s; failed authentications count (default: unlimited)",
      parseRate,
    )
    .option(
      "--site-days-rate <rate>",
      "with --rate-limit: site-days (sites × days spanned) per client, e.g. 2000000/min",
      parseRate,
    )
    .addOption(
      opt(
        "--trusted-proxies <n>",
        "proxies in front that append X-Forwarded-For (0: ignore the header, use the socket address)",
      )
        .argParser(intIn(0, 32))
        .default(0),
    )
    .addOption(
      opt("--max-request-site-days <n>", "most site-days (sites × days spanned) per request (413 beyond)")
        .argParser(intIn(1))
        .default(d.maxRequestSiteDays, `${d.maxRequestSiteDays} site-days`),
    )
    .addOption(
      opt("--max-queued-site-days <n>", "most site-days admitted at once over every model (503 beyond)")
        .argParser(intIn(1))
        .default(d.maxQueuedSiteDays, `${d.maxQueuedSiteDays} site-days`),
    )
    .addOption(
      opt("--max-body <size>", "largest request body, e.g. 16mb or 512kb")
        .argParser(parseSize)
        .default(d.maxBodyBytes, formatSize(d.maxBodyBytes)),
    )
    .addOption(
      opt("--max-sites <n>", "most sites per request")
        .argParser(intIn(1))
        .default(d.maxSites, `${d.maxSites} sites`),
    )
    .addOption(
      opt("--max-days <n>", "most days per site series")
        .argParser(intIn(1))
        .default(d.maxDays, `${d.maxDays} days`),
    )
    .addOption(
      opt("--timeout-ms <ms>", "per-request timeout (408 after it)")
        .argParser(intIn(1))
        .default(d.timeoutMs, ms(d.timeoutMs)),
    )
    .addOption(
      opt("--provider <p>", "execution provider: auto (CUDA if usable, else CPU), cpu, cuda")
        .choices(["auto", "cpu", "cuda"])
        .default("auto"),
    )
    .addOption(
      opt("--threads <n>", "onnxruntime intra-op threads per session")
        .argParser(intIn(1, 1024))
        .default(DEFAULT_POOL.threads, `${DEFAULT_POOL.threads}`),
    )
    .addOption(
      opt("--sessions <n>", "onnxruntime sessions per model version")
        .argParser(intIn(1, 64))
        .default(DEFAULT_POOL.sessions, `${DEFAULT_POOL.sessions}`),
    )
    .addOption(
      opt("--grace-ms <ms>", "longest wait for requests in flight at shutdown")
        .argParser(intIn(0))
        .default(10_000, ms(10_000)),
    )
    .action(async (o: ServeFlags) => {
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535)
        throw new ConfigError(
          `$PORT=${envPort} is not a port number`,
          "set PORT to 0-65535 or pass --port <n>",
        );
      const options = serveOptions(o);
      const [{ startServer, installSignalHandlers }, { demoMount }, { ensureWidget }] = await Promise.all([
        import("../serving/node/server.ts"),
        import("../edge/demo/demo-app.ts"),
        import("../edge/widget/ensure-widget.ts"),
      ]);
      const widget = await ensureWidget();
      if (widget.state === "built")
        console.log(`soilco2 serve: built the demo widget (${widget.why}) in ${widget.seconds.toFixed(1)} s`);
      else if (widget.state !== "up to date")
        console.log(
          `soilco2 serve: ${widget.state === "stale" ? "demo widget kept as built" : "no demo widget"}: ${widget.why}; \`npm ci && npm run build:edge\` builds it`,
        );
      const server = await startServer({ ...options, mounts: [demoMount(o.models)] }).catch(
        (err: unknown) => {
          throw listenError(err, o.port, o.host);
        },
      );
      console.log(
        `soilco2 serve: API docs ${server.url}/docs, demo ${server.url}/demo/, routes ${server.url}/`,
      );
      installSignalHandlers(server);
    });
}
