import { describe, expect, it } from "vitest";
import { parseFieldValue, parseLocalDateTime } from "../../src/model/fields.ts";
import type { FieldSpec } from "../../src/model/kind.ts";

const none = () => undefined;

describe("parseLocalDateTime: a date or a date and time as people write them and sheets hold them", () => {
  it("reads bare dates in the usual Chinese office spellings", () => {
    for (const s of ["2021-06-15", "2021/6/15", "2021.06.15", "2021年6月15日", " 2021-6-15 "]) expect(parseLocalDateTime(s)).toEqual({ date: "2021-06-15" });
  });

  it("reads a wall-clock time after the date", () => {
    expect(parseLocalDateTime("2021-06-15 18:00")).toEqual({ date: "2021-06-15", time: "18:00" });
    expect(parseLocalDateTime("2021/6/15 9:30:00")).toEqual({ date: "2021-06-15", time: "09:30" });
    expect(parseLocalDateTime("2021-06-15T17:05")).toEqual({ date: "2021-06-15", time: "17:05" });
    expect(parseLocalDateTime("2021年6月15日 18时00分")).toEqual({ date: "2021-06-15", time: "18:00" });
  });

  it("reads a sheet's Date by its UTC fields; midnight is a bare date", () => {
    expect(parseLocalDateTime(new Date(Date.UTC(2021, 5, 15)))).toEqual({ date: "2021-06-15" });
    expect(parseLocalDateTime(new Date(Date.UTC(2021, 5, 15, 18, 0)))).toEqual({ date: "2021-06-15", time: "18:00" });
  });

  it("refuses what is not a real date or time", () => {
    for (const s of ["2021-02-30", "2021-13-01", "下周五", "6月15日", "2021-06-15 24:00", "2021-06-15 18:60", "", "44362"]) expect(parseLocalDateTime(s)).toBeUndefined();
    expect(parseLocalDateTime(44362)).toBeUndefined();
    expect(parseLocalDateTime(new Date(Number.NaN))).toBeUndefined();
  });
});

describe("parseFieldValue: a text field given a sheet's date cell", () => {
  const text: FieldSpec = { id: "code", title: "问题编号", type: "text", required: true };
  it("keeps the date the cell shows, not a JavaScript date string", () => {
    expect(parseFieldValue(text, new Date(Date.UTC(2021, 5, 15)), none, 0)).toBe("2021-06-15");
    expect(parseFieldValue(text, new Date(Date.UTC(2021, 5, 15, 8, 30)), none, 0)).toBe("2021-06-15 08:30");
  });
});
