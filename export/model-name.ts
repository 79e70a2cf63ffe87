/** The default model name (own module, no imports: `soilco2 export --help` shows it without loading the exporter). */
export const DEFAULT_MODEL_NAME = "soilco2-lstm";
