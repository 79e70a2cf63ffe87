/** Typed errors shared by every part of soilco2: each names what went wrong and what to do next. */

/** Brand of every soilco2 error, shared by every copy of this module (a bundled CLI and the sources it loads). */
const BRAND = Symbol.for("soilco2.error");

/** Base class: `code` is stable and machine-readable, `hint` tells the user what to do next. */
export class Soilco2Error extends Error {
  readonly code: string;
  readonly hint: string;
  readonly [BRAND] = true;
  constructor(code: string, message: string, hint: string, options?: { cause?: unknown }) {
    super(hint ? `${message} (${hint})` : message, options);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}

/** Whether `err` is a soilco2 error, from this copy of the module or another (unlike `instanceof`). */
export function isSoilco2Error(err: unknown): err is Soilco2Error {
  return typeof err === "object" && err !== null && (err as { [BRAND]?: unknown })[BRAND] === true;
}

/** A value or request that does not fit the feature schema. `path` names the offending field, e.g. `sites[2].series.tsoil_mean[14]`. */
export class InputError extends Soilco2Error {
  readonly path: string;
  constructor(path: string, message: string, hint = "fix the field and send the request again") {
    super("invalid_input", `${path}: ${message}`, hint);
    this.path = path;
  }
}

/** A model schema (from manifest.json or metadata_props) this code does not understand. */
export class SchemaError extends Soilco2Error {
  constructor(message: string, hint = "re-export the model with this version of soilco2") {
    super("schema_unsupported", message, hint);
  }
}

/** A missing or unreadable artefact: release folder, run directory, model directory, config file. */
export class ArtefactError extends Soilco2Error {
  readonly file: string;
  constructor(file: string, message: string, hint: string, options?: { cause?: unknown }) {
    super("artefact_invalid", `${file}: ${message}`, hint, options);
    this.file = file;
  }
}

/** A configuration that fails validation (unknown key, wrong type, out of range). */
export class ConfigError extends Soilco2Error {
  constructor(message: string, hint = "see the config reference in docs/training.md#configuration") {
    super("config_invalid", message, hint);
  }
}
