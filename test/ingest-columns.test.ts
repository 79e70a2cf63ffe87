// Pure choices of the ingest: depth parsing and choice, plausibility, % moisture, IGBP mapping, CSV header split.
import { describe, expect, it } from "vitest";
import { IGBP_CODES } from "../core/features.ts";
import {
  chooseDrivers,
  depthOf,
  driverCandidates,
  isPercentMoisture,
  isPlausible,
  type ScoredCandidate,
  unknownColumns,
} from "../ingest/columns.ts";
import { splitCsvLine } from "../ingest/data-file.ts";
import { IGBP_LABELS, igbpCode } from "../ingest/igbp.ts";

const scored = (column: string, valid: number, numeric = valid): ScoredCandidate => {
  const [c] = driverCandidates([column]);
  if (!c) throw new Error(`not a candidate: ${column}`);
  return { ...c, valid, numeric };
};

describe("driver columns", () => {
  it("parses depths from CSR_T<depth> and CSR_SM<depth> only", () => {
    expect(depthOf("CSR_T5", "T")).toBe(5);
    expect(depthOf("CSR_T16.5", "T")).toBe(16.5);
    expect(depthOf("CSR_T0", "T")).toBe(0);
    expect(depthOf("CSR_SM10", "SM")).toBe(10);
    expect(depthOf("CSR_SM10", "T")).toBeUndefined();
    expect(depthOf("CSR_TAIR", "T")).toBeUndefined();
    expect(depthOf("CSR_TIMESTAMP_BEGIN", "T")).toBeUndefined();
  });

  it("lists candidates per driver and flags non-standard columns", () => {
    const header = [
      "CSR_PORT",
      "CSR_T5",
      "CSR_SM2",
      "CSR_TAIR_AMB",
      "CSR_TAIR",
      "CSR_PRECIP",
      "CSR_TWATER",
      "foo",
    ];
    expect(driverCandidates(header).map((c) => `${c.driver}:${c.column}`)).toEqual([
      "tsoil:CSR_T5",
      "swc:CSR_SM2",
      "tair:CSR_TAIR_AMB",
      "tair:CSR_TAIR",
      "precip:CSR_PRECIP",
    ]);
    expect(unknownColumns(header)).toEqual(["foo"]);
  });

  it("takes the soil temperature nearest 5 cm, the shallower on a tie, and only columns with valid values", () => {
    const pick = (cols: ScoredCandidate[]) => chooseDrivers(cols).tsoil?.column ?? null;
    expect(pick([scored("CSR_T10", 9), scored("CSR_T0", 9), scored("CSR_T7", 9)])).toBe("CSR_T7");
    expect(pick([scored("CSR_T7.5", 9), scored("CSR_T2.5", 9)])).toBe("CSR_T2.5");
    expect(pick([scored("CSR_T2.5", 9), scored("CSR_T7.5", 9)])).toBe("CSR_T2.5");
    expect(pick([scored("CSR_T5", 0), scored("CSR_T16.5", 3)])).toBe("CSR_T16.5");
    expect(pick([scored("CSR_T5", 0)])).toBeNull();
  });

  it("takes the shallowest soil moisture, CSR_TAIR before CSR_TAIR_AMB, and CSR_PRECIP", () => {
    const c = chooseDrivers([
      scored("CSR_SM30", 5),
      scored("CSR_SM4", 5),
      scored("CSR_TAIR_AMB", 5),
      scored("CSR_TAIR", 5),
      scored("CSR_PRECIP", 1),
    ]);
    expect([c.swc?.column, c.tair?.column, c.precip?.column]).toEqual(["CSR_SM4", "CSR_TAIR", "CSR_PRECIP"]);
    expect(chooseDrivers([scored("CSR_TAIR", 0), scored("CSR_TAIR_AMB", 5)]).tair?.column).toBe(
      "CSR_TAIR_AMB",
    );
  });

  it("sets aside a column with more than 10% of its numeric values out of range", () => {
    expect(isPlausible({ numeric: 100, valid: 90 })).toBe(true);
    expect(isPlausible({ numeric: 100, valid: 89 })).toBe(false);
    expect(isPlausible({ numeric: 0, valid: 0 })).toBe(false);
    const c = chooseDrivers([scored("CSR_T5", 50, 100), scored("CSR_T10", 100)]);
    expect(c.tsoil?.column).toBe("CSR_T10");
  });

  it("reads soil moisture as % when the median exceeds 1.5", () => {
    expect(isPercentMoisture(23)).toBe(true);
    expect(isPercentMoisture(1.51)).toBe(true);
    expect(isPercentMoisture(1.5)).toBe(false);
    expect(isPercentMoisture(0.3)).toBe(false);
    expect(isPercentMoisture(null)).toBe(false);
  });
});

describe("IGBP labels", () => {
  it("maps COSORE labels to FLUXNET codes", () => {
    expect(igbpCode("Deciduous broadleaf forest")).toBe("DBF");
    expect(igbpCode("Evergreen needleleaf forest")).toBe("ENF");
    expect(igbpCode("Evergreen needleleaf plantation")).toBe("ENF");
    expect(igbpCode("Broadleaf evergreen forest")).toBe("EBF");
    expect(igbpCode("Woody savanna")).toBe("WSA");
    expect(igbpCode("Savannas")).toBe("SAV");
    expect(igbpCode("Mixed forests")).toBe("MF");
    expect(igbpCode("Desert woodland")).toBe("OSH");
    expect(igbpCode("  open   Shrubland ")).toBe("OSH");
    expect(igbpCode("ENF")).toBe("ENF");
    expect(igbpCode("Moon dust")).toBeNull();
    expect(igbpCode(null)).toBeNull();
  });

  it("maps only to codes of core/features.ts", () => {
    for (const code of Object.values(IGBP_LABELS)) expect(IGBP_CODES).toContain(code);
  });
});

describe("CSV header", () => {
  it("splits quoted and unquoted fields", () => {
    expect(splitCsvLine('"CSR_PORT","CSR_T16.5",CSR_FLUX_CO2')).toEqual([
      "CSR_PORT",
      "CSR_T16.5",
      "CSR_FLUX_CO2",
    ]);
    expect(splitCsvLine('"a ""b""",c')).toEqual(['a "b"', "c"]);
  });
});
