import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/cli/main.ts";
import { captureIo, chongqingInlined } from "../helpers.ts";
import { emptyDocx, imageOnlyDocx } from "./docx-fixtures.ts";
import { seedDir, seedText } from "../seed.ts";

/** The seed lives outside the repository (see test/seed.ts); the tests that draft it skip loudly without it. */
const SEED = join(seedDir, "chongqing-labour-intermediary-campaign-2021.txt");
const present = seedText("chongqing-labour-intermediary-campaign-2021.txt") !== undefined;

const dir = mkdtempSync(join(tmpdir(), "duban-draft-bad-"));

async function run(...args: string[]) {
  const io = captureIo();
  const code = await main(["node", "duban", ...args], io);
  // Never a stack trace, whatever the input.
  expect(io.stderr + io.stdout).not.toMatch(/\n\s+at |Error:/);
  return { code, ...io };
}

function file(name: string, bytes: string | Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

describe("duban draft on files it cannot draft from", () => {
  it("a legacy .doc says to save as .docx or text", async () => {
    const f = file("notice.doc", Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]));
    const r = await run("draft", f);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/旧版 Word（\.doc）.*另存为” \.docx 或纯文本/);
  });

  it("a PDF says the same, naming PDF", async () => {
    const r = await run("draft", file("notice.pdf", "%PDF-1.7\n%âãÏÓ\n1 0 obj\n"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/这是 PDF 文件.*另存为/);
  });

  it("a binary file that is neither text nor docx", async () => {
    const r = await run("draft", file("image.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 0, 0, 4])));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/不是文本文件，也不是 \.docx 文档/);
  });

  it("a zip that is not a Word document, and a missing file", async () => {
    const zip = file("notice.docx", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64)]));
    expect((await run("draft", zip)).stderr).toMatch(/无法打开这个 \.docx 文件/);
    expect((await run("draft", join(dir, "nope.txt"))).stderr).toMatch(/无法读取文件（ENOENT）/);
  });

  it("an empty docx and an image-only (scanned) docx", async () => {
    const empty = await run("draft", file("empty.docx", await emptyDocx()));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/文档里没有文字/);
    const scan = await run("draft", file("scan.docx", await imageOnlyDocx()));
    expect(scan.code).toBe(1);
    expect(scan.stderr).toMatch(/只有图片（1 张）.*扫描件/);
  });

  it("Big5 text is detected and named, not drafted from garbled characters", async () => {
    const r = await run("draft", "test/draft/fixtures/big5-notice.txt");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/文件编码是 Big5（繁体中文）/);
    expect(r.stdout).toBe("");
  });

  it.skipIf(!present)("UTF-16 with a byte-order mark is read and named", async () => {
    const text = readFileSync(SEED, "utf8");
    const f = file("seed-utf16.txt", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
    const out = join(dir, "utf16.yaml");
    const r = await run("draft", f, "-o", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("编码 UTF-16LE");
    expect((parse(readFileSync(out, "utf8")) as any).phases).toHaveLength(3);
  });

  it("an empty text file", async () => {
    expect((await run("draft", file("empty.txt", "  \n"))).stderr).toMatch(/文件是空的/);
  });
});

describe("a document with no recognisable structure", () => {
  it("gives a draft with only the title and one todo that says so, exit 0 with a warning", async () => {
    const f = file("memo.txt", "关于做好春节期间值班工作的提示\n请各位同事注意休息，节日快乐。\n");
    const out = join(dir, "memo.yaml");
    const r = await run("draft", f, "-o", out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/duban: 警告：没有识别出任何结构/);
    const plan = parse(readFileSync(out, "utf8")) as any;
    expect(Object.keys(plan)).toEqual(["duban", "campaign", "todo"]);
    expect(plan.campaign.title).toBe("关于做好春节期间值班工作的提示");
    expect(plan.todo).toHaveLength(1);
    expect(plan.todo[0].what).toMatch(/没有识别出阶段、任务、报送事项或领导小组/);
  });
});

describe.skipIf(!present)("the CLI", () => {
  it("writes the draft to standard output by default, with a summary on stderr", async () => {
    const r = await run("draft", SEED, "--units", "plans/chongqing-2021.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# yaml-language-server: \$schema=schemas\/plan\.schema\.json/);
    expect(r.stderr).toMatch(/阶段 3，任务 6，报送事项 4，领导小组 8 人，新单位 0；待办 4 条/);
  });

  it("--check needs both files; a bad units file is one line", async () => {
    expect((await run("draft", "--check", "x.txt")).stderr).toMatch(/draft --check 需要文件和计划两个参数/);
    const bad = file("units.yaml", "units: 3\n");
    expect((await run("draft", SEED, "--units", bad)).stderr).toMatch(/中没有 units 列表/);
  });

  it("--check on the seed and the shipped plan finds no differences and exits 0", async () => {
    const r = await run("draft", "--check", SEED, "plans/chongqing-2021.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/一致：阶段 3，任务 6，报送事项 6，开启事项 3，领导小组 8 人\n计划与文件一致/);
    expect(r.stdout).not.toMatch(/计划要求、文件未写明|文件要求、计划缺少或不一致|日期不同/);
  });

  it("--check exits 1 when the plan asks what the notice does not", async () => {
    // A kind whose quoted source is not the notice's words: the notice does not ask for it.
    const text = chongqingInlined().replace("采取约谈负责人等措施，责令其加快整改”", "一律吊销许可证”");
    const r = await run("draft", "--check", SEED, file("edited-plan.yaml", text));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/计划要求、文件未写明（1）：\n.*开启事项“约谈整改”（rectification）：文件中没有出处所引的原文/);
  });
});
