import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { draftNoticeFile } from "../../src/draft/index.ts";
import { obligationClauses } from "../../src/draft/recognise-obligations.ts";

const dir = mkdtempSync(join(tmpdir(), "duban-draft-phase-"));

async function draftText(name: string, lines: string[]) {
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n"));
  const r = await draftNoticeFile(file, { fallbackYear: 2030, schemaPath: "plan.schema.json" });
  if (!r.ok) throw new Error(r.message);
  return parse(r.emitted.text) as Record<string, any>;
}

const notice = (phaseSentence: string) => [
  "某市人力资源和社会保障局关于开展专项行动的通知",
  "一、行动时间",
  "此次专项行动时间为5月-10月。",
  `（一）部署阶段（5月20日前）。${phaseSentence}`,
  "（二）实施阶段（5月21日－10月）。各区县人力社保局于10月10日前报送工作总结。",
];

describe("obligations stated in a dated phase heading's sentence", () => {
  it("one per verb phrase joined by ， after the subject; manner phrases are not obligations", () => {
    expect(obligationClauses("各区县（自治县）人力社保部门结合实际，制定具体实施方案，指导本区县各类人力资源服务机构、劳务派遣机构开展自查自纠。").map((c) => c.title)).toEqual([
      "具体实施方案",
      "指导本区县各类人力资源服务机构、劳务派遣机构开展自查自纠",
    ]);
    expect(obligationClauses("各区县人力社保局要按照统一部署，组织开展全面排查，并形成问题清单。").map((c) => c.title)).toEqual(["组织开展全面排查", "问题清单"]);
  });

  it("a sentence without a subject, or with a subject but no obligation verb, states none", () => {
    expect(obligationClauses("此阶段主要是宣传发动，营造良好氛围。")).toEqual([]);
    expect(obligationClauses("各区县人力社保局高度重视，广泛宣传发动。")).toEqual([]);
  });

  it("drafts each phrase as a deliverable due at the phase's end", async () => {
    const plan = await draftText("two.txt", notice("各区县人力社保局结合实际，制定工作方案，督促辖区人力资源服务机构开展自查。"));
    expect(plan.deliverables.map((d: any) => [d.title, String(d.due)])).toEqual([
      ["工作方案", "2030-05-20"],
      ["督促辖区人力资源服务机构开展自查", "2030-05-20"],
      ["工作总结", "2030-10-10"],
    ]);
  });

  it("a phase sentence with no subject-verb obligation yields nothing", async () => {
    const none = await draftText("none.txt", notice("各区县人力社保局高度重视，广泛宣传发动。"));
    expect(none.deliverables.map((d: any) => d.title)).toEqual(["工作总结"]);
    const noSubject = await draftText("nosubject.txt", notice("此阶段主要是宣传发动，营造良好氛围。"));
    expect(noSubject.deliverables.map((d: any) => d.title)).toEqual(["工作总结"]);
  });

  it("what a named unit is asked to do 适时 is a todo naming 适时, never a date", async () => {
    const plan = await draftText("shishi.txt", [...notice("各区县人力社保局制定工作方案。"), "（三）总结阶段（10月）。市人力社保局将适时对各区县工作开展情况进行督导检查。"]);
    const t = plan.todo.find((x: any) => /适时/.test(x.what));
    expect(t.draft.title).toBe("各区县工作开展情况督导检查");
    expect(t.draft.due).toBeUndefined();
    expect(plan.deliverables.some((d: any) => /督导/.test(d.title))).toBe(false);
  });
});
