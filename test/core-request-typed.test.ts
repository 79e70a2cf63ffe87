// encodeSite on a typed driver series (NaN = gap, what batch prediction builds from DuckDB) gives the tensor of the JSON form (null = gap).
import { describe, expect, it } from "vitest";
import { InputError } from "../core/errors.ts";
import { encodeSite } from "../core/request.ts";
import { readModelDir } from "../model/node/read-model.ts";

const { schema } = await readModelDir("models/soilco2-lstm/2");
const json = [4.5, null, 6, null, 8];
const typed = Float64Array.from(json, (v) => v ?? Number.NaN);
const site = (tsoil: (number | null)[] | Float64Array) => ({
  start: "2020-02-27",
  static: { latitude: 45 },
  drivers: { tsoil_mean: tsoil, swc_mean: [0.2, 0.2, null, 0.3, 0.3] },
});

describe("encodeSite with a typed series", () => {
  it("reads NaN as a gap and gives the JSON form's tensor, NaN for NaN", () => {
    const a = encodeSite(site(json), schema);
    const b = encodeSite(site(typed), schema);
    expect(Array.from(b.dynamic)).toEqual(Array.from(a.dynamic));
    expect(b.days).toEqual(a.days);
    const ts = schema.dynamic.findIndex((f) => f.name === "tsoil_mean");
    expect(Number.isNaN(b.dynamic[1 * schema.dynamic.length + ts]!)).toBe(true);
  });
  it("still checks every value's range", () => {
    expect(() => encodeSite(site(Float64Array.from([4, 75, 5, 6, 7])), schema, "sites[0]")).toThrow(
      InputError,
    );
  });
});
