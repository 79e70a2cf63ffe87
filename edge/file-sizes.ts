/** Raw and gzip sizes of build outputs, as printed by `npm run build:edge` and quoted in docs/edge.md. */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

/** One output file: bytes on disk and bytes after gzip (zlib default level, as Cloudflare measures a Worker). */
export interface FileSize {
  file: string;
  bytes: number;
  gzip: number;
}

/** Sizes of every file under `dir`, largest first. */
export async function fileSizes(dir: string): Promise<FileSize[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const rows: FileSize[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const bytes = await readFile(path);
    rows.push({ file: relative(dir, path), bytes: bytes.length, gzip: gzipSync(bytes).length });
  }
  return rows.sort((a, b) => b.bytes - a.bytes);
}

/** Sum of a list of sizes. */
export function totalSize(rows: readonly FileSize[]): { bytes: number; gzip: number } {
  return rows.reduce((t, r) => ({ bytes: t.bytes + r.bytes, gzip: t.gzip + r.gzip }), { bytes: 0, gzip: 0 });
}

/** A fixed-width table of sizes in kB (1000 bytes) with a total line. */
export function formatSizes(title: string, rows: readonly FileSize[]): string {
  const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`.padStart(11);
  const t = totalSize(rows);
  return [
    `${title}`,
    `  ${"file".padEnd(40)}${"raw".padStart(11)}${"gzip".padStart(11)}`,
    ...rows.map((r) => `  ${r.file.padEnd(40)}${kb(r.bytes)}${kb(r.gzip)}`),
    `  ${"total".padEnd(40)}${kb(t.bytes)}${kb(t.gzip)}`,
  ].join("\n");
}
