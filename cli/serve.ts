/** `soilco2 serve`: the prediction service (Hono on onnxruntime-node) over a model root, with graceful shutdown. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Command, InvalidArgumentError } from "commander";
import { ConfigError } from "../core/errors.ts";
import { demoMount } from "../edge/demo/demo-app.ts";
import { DEFAULT_BATCHING, DEFAULT_SERVING_LIMITS } from "../serving/app.ts";
import { checkApiKeys } from "../serving/middleware/api-key.ts";
import type { ProviderChoice } from "../serving/node/execution-provider.ts";
import { DEFAULT_POOL } from "../serving/node/load-models.ts";
import { installSignalHandlers, type ServeOptions, startServer } from "../serving/node/server.ts";

/** The repository's `models/` folder: the default model root. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL("../models/", import.meta.url));

const int =
  (name: string, min = 0) =>
  (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };

/**
 * Parse a size: `16mb`, `512kb`, `1048576`.
 * @example parseSize("16mb") // 16777216
 */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError("size must look like 16mb, 512kb or a number of bytes");
  const unit = (m[2] ?? "b").toLowerCase()[0];
  const factor = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * factor);
}

/**
 * Parse a rate: `600/min`, `10/s`, `600` (per minute), as requests per minute.
 * @example parseRate("10/s") // 600
 */
export function parseRate(v: string): number {
  const m = /^(\d+)\s*(?:\/\s*(s|sec|second|m|min|minute|h|hour))?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError("rate must look like 600/min, 10/s or 600");
  const per = (m[2] ?? "min").toLowerCase()[0];
  const n = Number(m[1]);
  const perMinute = per === "s" ? n * 60 : per === "h" ? Math.ceil(n / 60) : n;
  if (perMinute < 1) throw new InvalidArgumentError("rate must allow at least 1 request per minute");
  return perMinute;
}

const collect = (v: string, prev: string[]) => [...prev, v];

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

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
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
    server: { name: "soilco2", version: packageVersion() },
  };
}

/** Add the `serve` sub-command to a program. */
export function registerServe(program: Command): Command {
  const d = DEFAULT_SERVING_LIMITS;
  const B = DEFAULT_BATCHING;
  return program
    .command("serve")
    .description(
      "serve predictions over HTTP: /v1/predict, KServe v2 (/v2/...), /openapi.json, /docs, /metrics",
    )
    .option(
      "--models <dir>",
      "model root: <dir>/<name>/<version>/ model directories, or one model directory",
      DEFAULT_MODELS_DIR,
    )
    .option("--port <n>", "port (0: any free port)", int("--port"), Number(process.env.PORT ?? 8080))
    .option("--host <host>", "address to listen on (0.0.0.0 in containers)", process.env.HOST ?? "127.0.0.1")
    .option("--max-batch <sites>", "most sites per model call", int("--max-batch", 1), B.maxBatch)
    .option(
      "--max-batch-days <site-days>",
      "most site-days per model call",
      int("--max-batch-days", 1),
      B.maxBatchDays,
    )
    .option(
      "--max-wait-ms <ms>",
      "longest wait of a queued site for company while a batch runs (never when idle)",
      int("--max-wait-ms"),
      B.maxWaitMs,
    )
    .option(
      "--max-queue <sites>",
      "most sites queued per model before 503",
      int("--max-queue", 1),
      B.maxQueue,
    )
    .option("--no-batching", "run every request alone (no micro-batching)")
    .option("--cors <origins>", 'allowed browser origins, comma-separated, or "*"')
    .option(
      "--api-key <key>",
      "require this bearer API key (repeatable; also SOILCO2_API_KEYS=k1,k2)",
      collect,
      [],
    )
    .option(
      "--public <path>",
      "with API keys, leave this path open too, e.g. /metrics or /demo/* (repeatable; health is always open)",
      collect,
      [],
    )
    .option(
      "--rate-limit <rate>",
      "requests per client address, e.g. 600/min or 10/s (failed authentications count)",
      parseRate,
    )
    .option(
      "--site-days-rate <rate>",
      "with --rate-limit: site-days (sites × days spanned) per client, e.g. 2000000/min",
      parseRate,
    )
    .option(
      "--trusted-proxies <n>",
      "proxies in front that append X-Forwarded-For (0: ignore the header, use the socket address)",
      int("--trusted-proxies"),
      0,
    )
    .option(
      "--max-request-site-days <n>",
      "most site-days (sites × days spanned) per request (413 beyond)",
      int("--max-request-site-days", 1),
      d.maxRequestSiteDays,
    )
    .option(
      "--max-queued-site-days <n>",
      "most site-days admitted at once over every model (503 beyond)",
      int("--max-queued-site-days", 1),
      d.maxQueuedSiteDays,
    )
    .option("--max-body <size>", "largest request body, e.g. 16mb", parseSize, d.maxBodyBytes)
    .option("--max-sites <n>", "most sites per request", int("--max-sites", 1), d.maxSites)
    .option("--max-days <n>", "most days per site series", int("--max-days", 1), d.maxDays)
    .option("--timeout-ms <ms>", "per-request timeout (408 after it)", int("--timeout-ms", 1), d.timeoutMs)
    .option("--provider <p>", "execution provider: auto (CUDA if usable, else CPU), cpu, cuda", "auto")
    .option(
      "--threads <n>",
      "onnxruntime intra-op threads per session",
      int("--threads", 1),
      DEFAULT_POOL.threads,
    )
    .option(
      "--sessions <n>",
      "onnxruntime sessions per model version",
      int("--sessions", 1),
      DEFAULT_POOL.sessions,
    )
    .option("--grace-ms <ms>", "longest wait for requests in flight at shutdown", int("--grace-ms"), 10_000)
    .action(async (o: ServeFlags) => {
      const server = await startServer({ ...serveOptions(o), mounts: [demoMount(o.models)] });
      installSignalHandlers(server);
    });
}
