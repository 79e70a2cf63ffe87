// Local standard time with DuckDB's ICU: the day boundary in a DST zone and in a fixed zone.
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKnownTimeZone, localStandardDates, zoneHasDst } from "../ingest/timezone.ts";

let instance: DuckDBInstance;
let con: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  con = await instance.connect();
});
afterAll(() => {
  con.closeSync();
  instance.closeSync();
});

describe("local standard time", () => {
  it("shifts DST wall-clock times back one hour before taking the date (America/New_York)", async () => {
    const dates = await localStandardDates(con, "America/New_York", [
      "2020-07-01 00:30:00", // EDT: 2020-06-30 23:30 EST
      "2020-07-01 00:59:59",
      "2020-07-01 01:00:00", // 00:00 EST
      "2020-01-15 00:30:00", // winter: no shift
      "2020-11-01 00:30:00", // DST ends at 02:00 that day: still shifted
      "2020-11-02 00:30:00",
      "2020-03-08 03:30:00", // first DST hour: 02:30 EST
    ]);
    expect(dates).toEqual([
      "2020-06-30",
      "2020-06-30",
      "2020-07-01",
      "2020-01-15",
      "2020-10-31",
      "2020-11-02",
      "2020-03-08",
    ]);
  });

  it("keeps wall-clock dates in a fixed zone (Etc/GMT+8) and UTC", async () => {
    expect(
      await localStandardDates(con, "Etc/GMT+8", ["2020-07-01 00:30:00", "2020-06-30 23:59:59"]),
    ).toEqual(["2020-07-01", "2020-06-30"]);
    expect(await localStandardDates(con, "UTC", ["2020-07-01 00:30:00"])).toEqual(["2020-07-01"]);
  });

  it("handles southern-hemisphere DST (Australia/Sydney: DST in January)", async () => {
    expect(
      await localStandardDates(con, "Australia/Sydney", ["2020-01-01 00:30:00", "2020-07-01 00:30:00"]),
    ).toEqual(["2019-12-31", "2020-07-01"]);
  });

  it("tells DST zones from fixed ones", async () => {
    expect(await zoneHasDst(con, "America/New_York", 2019, 2020)).toBe(true);
    expect(await zoneHasDst(con, "Etc/GMT+8", 2000, 2020)).toBe(false);
    expect(await zoneHasDst(con, "Asia/Tokyo", 2000, 2020)).toBe(false);
  });

  it("knows IANA zone names and rejects others", async () => {
    expect(await isKnownTimeZone(con, "Etc/GMT+8")).toBe(true);
    expect(await isKnownTimeZone(con, "America/New_York")).toBe(true);
    expect(await isKnownTimeZone(con, "Mars/Olympus")).toBe(false);
    expect(await isKnownTimeZone(con, "")).toBe(false);
    expect(await isKnownTimeZone(con, null)).toBe(false);
  });
});
