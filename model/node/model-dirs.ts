/**
 * Model discovery under a model root, Triton's layout: `<root>/<name>/<version>/` where the version is the
 * directory's name (`1`, `2`, …; the highest number is the newest). `<root>/<name>/` or `<root>` holding a manifest
 * directly is one model directory whose version comes from its manifest (or its name, when that is a number).
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { ArtefactError } from "../../core/errors.ts";
import { MODEL_DIR_FILES } from "../manifest.ts";
import { compareVersions, DEFAULT_MODEL_NAME, defaultModelName } from "../model-name.ts";

/** One version directory found under a root. */
export interface VersionDir {
  /** Absolute path. */
  dir: string;
  /** The `<name>` directory's name, when the version sits in `<root>/<name>/<version>/`. */
  model?: string;
  /** The version's address; undefined when it is the manifest's version string. */
  version?: string;
  /** Whether manifest.json is there (a version directory without it cannot load and is reported). */
  hasManifest: boolean;
}

export const HOW_TO_EXPORT = `export a run with \`soilco2 export <run dir> --out models/${DEFAULT_MODEL_NAME}/<version>\` (a new number), or pass an exported model's directory (serve --models, predict-batch and worker --model)`;

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function hasManifest(dir: string): Promise<boolean> {
  return (await stat(join(dir, MODEL_DIR_FILES.manifest)).catch(() => undefined))?.isFile() ?? false;
}

/** Sub-directories, hidden ones (export's temporary dirs) left out, in version order. */
async function subdirs(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const n of (await readdir(dir)).sort(compareVersions))
    if (!n.startsWith(".") && (await isDir(join(dir, n)))) out.push(join(dir, n));
  return out;
}

const numbered = (dir: string) => (/^\d+$/.test(basename(dir)) ? basename(dir) : undefined);

/**
 * Every version directory under `root`, those without manifest.json included (so the caller can warn).
 * @throws {ArtefactError} naming `root` when it is missing or no directory under it holds a manifest
 */
export async function findVersionDirs(root: string): Promise<VersionDir[]> {
  const abs = resolve(root);
  if (!(await isDir(abs))) throw new ArtefactError(abs, "model directory not found", HOW_TO_EXPORT);
  if (await hasManifest(abs)) {
    const version = numbered(abs);
    return [{ dir: abs, hasManifest: true, ...(version ? { version } : {}) }];
  }
  const found: VersionDir[] = [];
  for (const name of await subdirs(abs)) {
    const model = basename(name);
    if (await hasManifest(name)) found.push({ dir: name, model, hasManifest: true });
    else
      for (const v of await subdirs(name))
        found.push({ dir: v, model, version: basename(v), hasManifest: await hasManifest(v) });
  }
  if (!found.some((f) => f.hasManifest))
    throw new ArtefactError(abs, "holds no model (no <name>/<version>/manifest.json)", HOW_TO_EXPORT);
  return found;
}

/**
 * Model directories (with manifest.json) under `root`: `root` itself when it holds one, else every
 * `<root>/<name>/<version>/` (and `<root>/<name>/` holding a manifest directly), versions in order.
 * @throws {ArtefactError} naming `root` when it is missing or holds no model
 */
export async function findModelDirs(root: string): Promise<string[]> {
  return (await findVersionDirs(root)).filter((f) => f.hasManifest).map((f) => f.dir);
}

/**
 * The newest version of the default model under `root` ({@link defaultModelName}), as serving's registry picks it:
 * the highest numbered version directory (Triton's rule), not the manifest's version string. The edge build, the
 * demo and the benches use it.
 * @throws {ArtefactError} naming `root` when it holds no model
 * @example await defaultModelDir("models") // "/…/models/soilco2-lstm/2"
 */
export async function defaultModelDir(root = "models"): Promise<string> {
  const found: { dir: string; name: string; version: string }[] = [];
  for (const ref of await findVersionDirs(root)) {
    if (!ref.hasManifest) continue;
    const m = JSON.parse(await readFile(join(ref.dir, MODEL_DIR_FILES.manifest), "utf8")) as {
      name: string;
      version: string;
    };
    found.push({ dir: ref.dir, name: m.name, version: ref.version ?? m.version });
  }
  const name = defaultModelName(found.map((f) => f.name));
  const versions = found.filter((f) => f.name === name).sort((a, b) => compareVersions(a.version, b.version));
  return versions[versions.length - 1]!.dir;
}
