/** Fetch a model directory over HTTP (manifest.json, then the model file it names): browsers, workers, Node 20. */
import { ArtefactError } from "../core/errors.ts";
import { MODEL_DIR_FILES } from "../model/manifest.ts";

/** The two files a runtime needs from a model directory, not yet checked (see `checkModel`). */
export interface ModelFiles {
  /** model.onnx */
  bytes: Uint8Array;
  /** manifest.json, parsed */
  manifest: unknown;
  /** Where they came from, for error messages (a URL or a directory). */
  where: string;
}

/**
 * Fetch `<modelUrl>/manifest.json` and the model file it names.
 * @param modelUrl URL of the model directory; a trailing `/` is added when missing
 * @throws {ArtefactError} naming the URL when it is unreachable, answers with an HTTP error, or is not JSON
 * @example const files = await fetchModelFiles("https://example.org/models/soilco2-lstm/");
 */
export async function fetchModelFiles(
  modelUrl: string | URL,
  fetchFn: typeof fetch = fetch,
): Promise<ModelFiles> {
  const base = new URL(String(modelUrl).replace(/\/?$/, "/"), globalThis.location?.href);
  const manifestUrl = new URL(MODEL_DIR_FILES.manifest, base);
  const manifestText = new TextDecoder().decode(await fetchBytes(manifestUrl, fetchFn));
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch (cause) {
    throw new ArtefactError(manifestUrl.href, "is not JSON", "point `model` to a soilco2 model directory", {
      cause,
    });
  }
  const file = (manifest as { model?: { file?: unknown } } | null)?.model?.file;
  const modelUrlFile = new URL(typeof file === "string" ? file : MODEL_DIR_FILES.model, base);
  return { bytes: await fetchBytes(modelUrlFile, fetchFn), manifest, where: base.href };
}

async function fetchBytes(url: URL, fetchFn: typeof fetch): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (cause) {
    throw new ArtefactError(
      url.href,
      "could not be reached",
      "check the model URL, that the server is up and that it allows cross-origin requests (CORS)",
      { cause },
    );
  }
  if (!res.ok)
    throw new ArtefactError(
      url.href,
      `answered HTTP ${res.status}`,
      "check the model URL (a soilco2 model directory)",
    );
  return new Uint8Array(await res.arrayBuffer());
}
