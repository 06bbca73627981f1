import type { Unit, UnitId } from "./types.ts";

/** What a plan change (often a directory edit) changes about a unit both versions have: field, before, after. */
export interface UnitChange {
  id: UnitId;
  name: string;
  changes: { field: UnitField; from: string; to: string }[];
}

export type UnitField = "name" | "short" | "kind" | "parent" | "title" | "email" | "webhooks";

const FIELDS: readonly UnitField[] = ["name", "short", "kind", "parent", "title", "email", "webhooks"];

/** The fields as a reviewer reads them in `plan apply`'s list. */
export const UNIT_FIELD_ZH: Record<UnitField, string> = {
  name: "名称",
  short: "简称",
  kind: "类别",
  parent: "所属单位",
  title: "职务",
  email: "电子邮件",
  webhooks: "群机器人",
};

const shown = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join("、") : (v ?? ""));

/** Units present in both versions whose name, post or contacts differ, in the new version's order. */
export function unitChanges(from: ReadonlyMap<UnitId, Unit>, to: ReadonlyMap<UnitId, Unit>): UnitChange[] {
  const out: UnitChange[] = [];
  for (const [id, b] of to) {
    const a = from.get(id);
    if (!a) continue;
    const changes = FIELDS.map((field) => ({ field, from: shown(a[field]), to: shown(b[field]) })).filter((c) => c.from !== c.to);
    if (changes.length) out.push({ id, name: b.name, changes });
  }
  return out;
}
