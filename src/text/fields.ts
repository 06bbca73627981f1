import type { Problem } from "../model/problem.ts";

/** One field problem of an opening or an import row, in zh-CN (e.g. "整改时限不是日期"). */
export function renderFieldProblem(q: Problem): string {
  const p = q.params;
  switch (q.code) {
    case "FIELD_REQUIRED":
      return `${p.field}必须填写`;
    case "FIELD_UNKNOWN":
      return `没有字段“${p.field}”（可用：${(p.known as string[]).join("、")}）`;
    case "FIELD_NOT_DATE":
      return `${p.field}不是日期（“${p.value}”；应如 2021-06-30）`;
    case "FIELD_NOT_NUMBER":
      return `${p.field}不是数字（“${p.value}”）`;
    case "FIELD_NOT_CHOICE":
      return `${p.field}只能是 ${(p.choices as string[]).join("、")} 之一（“${p.value}”）`;
    case "FIELD_NOT_UNIT":
      return `${p.field}不是计划中的单位（“${p.value}”）`;
    case "FIELD_TOO_LONG":
      return `${p.field}超过 ${p.max} 字`;
    case "FIELD_NOT_ATTACHMENT":
      return `${p.field}须是上传的附件`;
    case "ATTACHMENT_TOO_LARGE":
      return `附件“${p.value}”（${Math.ceil(Number(p.size) / 1048576)} MB）超过${p.field}的上限 ${Math.floor(Number(p.max) / 1048576)} MB`;
    default:
      return `${p.field ?? ""}：${q.code}`;
  }
}
