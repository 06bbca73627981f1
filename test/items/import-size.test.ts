import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readImport } from "../../src/items/import-sheet.ts";
import { importProblemLine } from "../../src/text/import-zh.ts";
import { HQ, importPlan, rectify, tempDir, writeCsv, writeXlsx } from "./kind-fixture.ts";

/**
 * A 50 MB file is refused by its size alone: nothing opens it, neither the sniffing of its first bytes,
 * nor a CSV read, nor exceljs. Counted by wrapping what would open it, proved able to count on a small file.
 */

const seen = vi.hoisted(() => ({ readers: 0, opened: [] as string[], readWhole: [] as string[] }));

vi.mock("exceljs", async (importOriginal) => {
  const real = ((await importOriginal()) as { default: typeof import("exceljs") }).default;
  const Real = real.stream.xlsx.WorkbookReader;
  class Counting extends Real {
    constructor(...args: ConstructorParameters<typeof Real>) {
      seen.readers++;
      super(...args);
    }
  }
  return { default: { ...real, stream: { ...real.stream, xlsx: { ...real.stream.xlsx, WorkbookReader: Counting } } } };
});

vi.mock("node:fs/promises", async (importOriginal) => {
  const real = (await importOriginal()) as typeof import("node:fs/promises");
  return {
    ...real,
    open: (async (file: string, ...rest: unknown[]) => {
      seen.opened.push(String(file));
      return (real.open as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof real.open,
    readFile: (async (file: string, ...rest: unknown[]) => {
      seen.readWhole.push(String(file));
      return (real.readFile as (...a: unknown[]) => unknown)(file, ...rest);
    }) as typeof real.readFile,
  };
});

const plan = importPlan();
const MB = 1024 * 1024;

/** 50 MB on disk, really written (not sparse): a zip's signature, then filler. */
function fiftyMegabytes(file: string, head: Buffer): string {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(MB, 0x41);
  head.copy(chunk);
  writeSync(fd, chunk);
  chunk.fill(0x41, 0, head.length);
  for (let i = 1; i < 50; i++) writeSync(fd, chunk);
  closeSync(fd);
  return file;
}

describe("a file over the limit is refused before it is read", () => {
  it("the counters see a small xlsx and a small csv being read", async () => {
    const dir = tempDir();
    const x = await writeXlsx(join(dir, "small.xlsx"), { Sheet1: [["问题编号", "问题描述", "整改时限", "责任单位"], ["Z-1", "a", "2021-06-15", "北区"]] });
    const c = writeCsv(join(dir, "small.csv"), [["问题编号", "问题描述", "整改时限", "责任单位"], ["Z-1", "a", "2021-06-15", "北区"]]);
    const before = seen.readers;
    expect("requests" in (await readImport(x, rectify, plan, { actor: HQ }))).toBe(true);
    expect("requests" in (await readImport(c, rectify, plan, { actor: HQ }))).toBe(true);
    expect(seen.readers).toBe(before + 1);
    expect(seen.opened).toEqual(expect.arrayContaining([x, c]));
    expect(seen.readWhole).toContain(c);
  });

  for (const [name, head] of [
    ["清单.xlsx", Buffer.from([0x50, 0x4b, 0x03, 0x04])],
    ["清单.csv", Buffer.from("问题编号,问题描述,整改时限,责任单位\r\n")],
  ] as const) {
    it(`50 MB ${name}: refused by its size in milliseconds, never opened`, async () => {
      const file = fiftyMegabytes(join(tempDir(), name), head);
      const readers = seen.readers;
      const rss = process.memoryUsage().rss;
      const t0 = performance.now();
      const r = await readImport(file, rectify, plan, { actor: HQ });
      const ms = performance.now() - t0;
      expect("problems" in r && r.problems.map(importProblemLine)).toEqual([`${file}: 文件有 50 MB，超过导入上限 20 MB，未读取；请拆成几个文件分别导入`]);
      expect(seen.readers).toBe(readers);
      expect(seen.opened).not.toContain(file);
      expect(seen.readWhole).not.toContain(file);
      // One stat call; a generous bound for two loaded cores, far below reading 50 MB.
      expect(ms).toBeLessThan(200);
      expect(process.memoryUsage().rss - rss).toBeLessThan(20 * MB);
    });
  }

  it("the limit can be set: a file just over it is refused, one at it is read", async () => {
    const file = writeCsv(join(tempDir(), "l.csv"), [["问题编号", "问题描述", "整改时限", "责任单位"], ["Z-1", "a", "2021-06-15", "北区"]]);
    const size = (await import("node:fs")).statSync(file).size;
    expect(await readImport(file, rectify, plan, { actor: HQ, maxBytes: size - 1 })).toMatchObject({ problems: [{ code: "IMPORT_TOO_LARGE", params: { size, max: size - 1 } }] });
    expect(await readImport(file, rectify, plan, { actor: HQ, maxBytes: size })).toHaveProperty("requests");
  });
});
