/** The model-directory check, runtime-free (no `node:` imports, no eval): bytes + manifest JSON in, a trusted schema out. Node, workerd and browsers share it. */
import { ArtefactError, SchemaError } from "../core/errors.ts";
import { type ModelSchema, parseModelSchema } from "../core/model-schema.ts";
import { MANIFEST_VERSION, type Manifest, MODEL_DIR_FILES, manifestZ } from "./manifest.ts";
import { metadataSchemaJson } from "./model-metadata.ts";
import { decodeModel, metadataRecord } from "./onnx-codec.ts";

/** Lower-case hex sha256 of some bytes. */
export type Sha256 = (bytes: Uint8Array) => Promise<string>;

/** sha256 through WebCrypto (`crypto.subtle`), present in Node 20, workerd and browsers. */
export const webSha256: Sha256 = async (bytes) => {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
};

/** A model that passed {@link checkModel}. */
export interface CheckedModel {
  schema: ModelSchema;
  manifest: Manifest;
  /** sha256 of the model bytes (equal to `manifest.model.sha256`). */
  sha256: string;
}

/** JSON with object keys sorted, so two equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * Check a model against its manifest and return the schema to build requests with.
 * Refuses: a manifest this version does not understand, a schema version it does not understand, model bytes
 * whose sha256 differs from the manifest, a model whose IR/opset or metadata schema differs from the manifest's.
 * @param bytes the model file (model.onnx)
 * @param manifestJson manifest.json, parsed
 * @param opts `sha256` defaults to WebCrypto; `where` prefixes file names in errors (e.g. the model directory)
 * @throws {SchemaError} for an unknown manifest or schema version
 * @throws {ArtefactError} for anything else that does not match
 * @example const { schema } = await checkModel(new Uint8Array(await (await fetch("model.onnx")).arrayBuffer()), await (await fetch("manifest.json")).json());
 */
export async function checkModel(
  bytes: Uint8Array,
  manifestJson: unknown,
  opts: { sha256?: Sha256; where?: string } = {},
): Promise<CheckedModel> {
  const at = (file: string) => (opts.where ? `${opts.where.replace(/\/$/, "")}/${file}` : file);
  const manifestFile = at(MODEL_DIR_FILES.manifest);
  const version = (manifestJson as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (version !== MANIFEST_VERSION)
    throw new SchemaError(
      `${manifestFile}: manifest version ${String(version)} not understood (this soilco2 reads ${MANIFEST_VERSION})`,
    );
  const parsed = manifestZ.safeParse(manifestJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ArtefactError(
      manifestFile,
      `not a soilco2 model manifest at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
      "re-export the model with `soilco2 export`",
    );
  }
  const manifest = parsed.data;
  const schema = parseModelSchema(manifest.schema);
  const modelFile = at(manifest.model.file);

  const sha256 = await (opts.sha256 ?? webSha256)(bytes);
  if (sha256 !== manifest.model.sha256)
    throw new ArtefactError(
      modelFile,
      `sha256 ${sha256} (${bytes.byteLength} bytes) differs from the manifest's ${manifest.model.sha256} (${manifest.model.bytes} bytes)`,
      "the model file was changed or belongs to another export; re-export the model directory as a whole",
    );

  let props: Record<string, string>;
  let irVersion: number;
  let opset: number | undefined;
  try {
    const model = decodeModel(bytes);
    props = metadataRecord(model);
    irVersion = model.ir_version;
    opset = model.opset_import.find((o) => !o.domain)?.version ?? undefined;
  } catch (cause) {
    throw new ArtefactError(modelFile, "is not an ONNX model", "re-export the model", { cause });
  }
  if (irVersion !== manifest.model.irVersion || opset !== manifest.model.opsetVersion)
    throw new ArtefactError(
      modelFile,
      `IR ${irVersion} / opset ${opset} differ from the manifest's IR ${manifest.model.irVersion} / opset ${manifest.model.opsetVersion}`,
      "re-export the model directory as a whole",
    );
  const metaJson = metadataSchemaJson(props);
  if (metaJson === undefined)
    throw new ArtefactError(modelFile, "has no soilco2.schema metadata", "export it with `soilco2 export`");
  const metaSchema = parseModelSchema(metaJson);
  if (canonicalJson(metaSchema) !== canonicalJson(schema))
    throw new ArtefactError(
      manifestFile,
      "schema differs from the schema in the model's metadata",
      "the manifest was edited or mixed up with another export; re-export the model directory",
    );
  return { schema, manifest, sha256 };
}
