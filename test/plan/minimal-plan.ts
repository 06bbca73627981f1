/**
 * A minimal valid plan, written out line by line so a test can name the line it breaks.
 * `planText({ 17: "  leader: hq" })` replaces line 17; an array replaces one line with several
 * (only lines after it move); `extra` lines are appended after line 31.
 */
export const BASE: readonly string[] = [
  /*  1 */ "duban: 1",
  /*  2 */ "campaign:",
  /*  3 */ "  id: test-campaign",
  /*  4 */ "  title: 测试专项行动",
  /*  5 */ "  issuer: 测试局",
  /*  6 */ "  start: 2021-05-01",
  /*  7 */ "  end: 2021-10-31",
  /*  8 */ "units:",
  /*  9 */ "  - { id: hq, name: 测试局, kind: department, contacts: { email: [hq@example.gov.cn] } }",
  /* 10 */ "  - { id: boss, name: 张三, kind: person, parent: hq, contacts: { email: [boss@example.gov.cn] } }",
  /* 11 */ "  - { id: north, name: 北区, kind: district, contacts: { email: [north@example.gov.cn] } }",
  /* 12 */ "  - { id: south, name: 南区, kind: district, contacts: { email: [south@example.gov.cn] } }",
  /* 13 */ "groups:",
  /* 14 */ "  districts:",
  /* 15 */ "    members: [north, south]",
  /* 16 */ "leadingGroup:",
  /* 17 */ "  leader: boss",
  /* 18 */ "  office: { unit: hq, director: boss }",
  /* 19 */ "phases:",
  /* 20 */ "  - { id: first, name: 第一阶段, start: 2021-05-01, end: 2021-06-30 }",
  /* 21 */ "  - { id: second, name: 第二阶段, start: 2021-07-01, end: 2021-10-31 }",
  /* 22 */ "tasks:",
  /* 23 */ '  - { id: inspect, title: 检查, lead: hq, support: ["@districts"] }',
  /* 24 */ "deliverables:",
  /* 25 */ '  - { id: report, title: 报告, phase: first, from: ["@districts"], due: 2021-06-15 }',
  /* 26 */ "policies:",
  /* 27 */ "  standard:",
  /* 28 */ "    steps:",
  /* 29 */ "      - { at: 0wd, notify: [assignee] }",
  /* 30 */ "defaults:",
  /* 31 */ "  policy: standard",
];

/** The minimal plan with lines replaced (1-based; an array inserts several lines in place of one) and lines appended. */
export function planText(edits: Record<number, string | readonly string[]> = {}, extra: readonly string[] = []): string {
  const out: string[] = [];
  BASE.forEach((line, i) => {
    const edit = edits[i + 1];
    if (edit === undefined) out.push(line);
    else if (typeof edit === "string") out.push(edit);
    else out.push(...edit);
  });
  return [...out, ...extra].join("\n") + "\n";
}
