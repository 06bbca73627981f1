import { pinyin } from "pinyin-pro";
import type { UnitKind } from "../plan/types.ts";

/** A unit the office already has (from `--units`), or one the draft adds. */
export interface RegUnit {
  id: string;
  name: string;
  short?: string;
  kind: UnitKind;
  parent?: string;
  title?: string;
  /** As the units file gives them, copied into the draft. */
  contacts?: unknown;
  /** Added by the draft: not in the units file. */
  isNew: boolean;
  /** The names the document used for it, when they differ from `name`. */
  aliases: string[];
}

export interface RegGroup {
  id: string;
  name: string;
  members: string[];
  isNew: boolean;
}

/** 各区县…部门, 各级…部门, 市局相关处室: the document names a set of units, not one. */
export function isGroupName(name: string): boolean {
  return /^(各|各级|各有关|有关|相关)/.test(name) || /相关处室|各.+(部门|单位)$|(有关|相关)(部门|单位)$/.test(name);
}

const POST = /(?:党组书记、|党组成员、|党委委员、|党委书记、)?(?:常务)?(?:副)?(?:局长|处长|主任|总队长|支队长|队长|书记|厅长|部长|科长|所长|院长|主席|会长|秘书长|巡视员|调研员|负责人|主任委员|委员)$/;

/** 市人力社保局法规处处长 → 市人力社保局法规处: the unit part of a person's post. */
export function unitOfTitle(title: string): string | undefined {
  const u = title.replace(POST, "").replace(/[、，]$/, "");
  return u && u !== title ? u : undefined;
}

const cjk = (s: string) => s.replace(/\s+/g, "");

/** An ASCII id as the schema allows; persons by full pinyin (he-zhenguo), others by initials. */
export function suggestId(name: string, kind: UnitKind | "group" | "phase" | "deliverable"): string {
  const clean = cjk(name).replace(/[（(][^）)]*[）)]/g, "");
  let id: string;
  if (kind === "person") {
    const syl = pinyin(clean, { toneType: "none", type: "array", v: true }).map((s) => s.toLowerCase().replace(/[^a-z]/g, ""));
    id = syl.length > 1 ? `${syl[0]}-${syl.slice(1).join("")}` : (syl[0] ?? "");
  } else if (kind === "phase") {
    id = pinyin(clean.replace(/阶段$/, ""), { toneType: "none", type: "array", v: true })
      .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ""))
      .filter(Boolean)
      .join("-");
  } else {
    id = pinyin(clean, { pattern: "first", toneType: "none", type: "array" })
      .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ""))
      .join("")
      .slice(0, 16);
  }
  id = id.replace(/^[^a-z]+/, "");
  return id || kind;
}

/** `short` is an abbreviation of `long` as Chinese offices shorten names: 市就业局 for 市就业服务管理局. */
function abbreviates(short: string, long: string): boolean {
  if (short.length < 4 || short.length >= long.length) return false;
  if (short.slice(0, 2) !== long.slice(0, 2) || short[short.length - 1] !== long[long.length - 1]) return false;
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/**
 * Names in the document → unit ids. Units from the office's file are matched by name, short name, a name the
 * mention ends (重庆市就业服务管理局 for 市就业服务管理局) or an abbreviation; anything else becomes a new unit
 * with a suggested id, listed for a person to check.
 */
export class UnitRegistry {
  readonly units: RegUnit[] = [];
  readonly groups: RegGroup[] = [];
  private readonly ids = new Set<string>();

  constructor(known: { units: Omit<RegUnit, "isNew" | "aliases">[]; groups: Omit<RegGroup, "isNew">[] } = { units: [], groups: [] }) {
    for (const u of known.units) this.add({ ...u, isNew: false, aliases: [] });
    for (const g of known.groups) {
      this.groups.push({ ...g, isNew: false });
      this.ids.add(g.id);
    }
  }

  private add(u: RegUnit): RegUnit {
    this.units.push(u);
    this.ids.add(u.id);
    return u;
  }

  private freshId(base: string): string {
    let id = base;
    for (let n = 2; this.ids.has(id) || id === "office" || id === "task-leads"; n++) id = `${base}-${n}`;
    return id;
  }

  /** The unit a name denotes, without creating one. */
  find(name: string): RegUnit | undefined {
    const n = cjk(name);
    const exact = this.units.find((u) => u.name === n || u.short === n || u.aliases.includes(n));
    if (exact) return exact;
    const ends = this.units.filter((u) => u.kind !== "person" && n.length >= 4 && u.name.endsWith(n) && u.name.length - n.length <= 3);
    if (ends.length === 1) return ends[0];
    const abbr = this.units.filter((u) => u.kind !== "person" && (abbreviates(n, u.name) || (u.short !== undefined && abbreviates(n, u.short))));
    if (abbr.length === 1) return abbr[0];
    // The document used the short form first (市就业局 in a task) and the full name later (in a post):
    // a unit the draft added takes the full name and keeps the short one.
    const longer = this.units.filter((u) => u.isNew && u.kind !== "person" && abbreviates(u.name, n));
    if (longer.length === 1) {
      const u = longer[0]!;
      u.short ??= u.name;
      u.name = n;
      return u;
    }
    return undefined;
  }

  /** A unit or group reference for a name: an id, or @group. */
  ref(name: string, kind: UnitKind = "department"): string {
    const n = cjk(name);
    const g = this.groups.find((x) => x.name === n);
    if (g) return `@${g.id}`;
    const found = this.find(n);
    if (!found && isGroupName(n)) return `@${this.group(n, [], true).id}`;
    const u = found ?? this.splitMention(n);
    if (u) {
      if (u.name !== n && u.short !== n && !u.aliases.includes(n)) u.aliases.push(n);
      return u.id;
    }
    const k: UnitKind = kind === "department" && /^[\u4e00-\u9fff]{1,6}(区|县|自治县)[\u4e00-\u9fff]*局$/.test(n) ? "district" : kind;
    return this.add({ id: this.freshId(suggestId(n, k)), name: n, kind: k, isNew: true, aliases: [] }).id;
  }

  /** 市人力社保局法规处 → 法规处 (known), with 市人力社保局 as its parent when it had none. */
  private splitMention(n: string): RegUnit | undefined {
    for (let i = 2; i <= n.length - 2; i++) {
      const tail = this.find(n.slice(i));
      if (!tail || tail.kind === "person") continue;
      const head = n.slice(0, i);
      const parent = this.find(head) ?? (tail.isNew && /(局|厅|委|办|部)$/.test(head) ? this.units.find((u) => u.id === this.ref(head)) : undefined);
      if (parent && tail.isNew && !tail.parent && parent.id !== tail.id) tail.parent = parent.id;
      return tail;
    }
    return undefined;
  }

  group(name: string, members: string[], isNew: boolean): RegGroup {
    const n = cjk(name);
    const found = this.groups.find((g) => g.name === n);
    if (found) return found;
    const g: RegGroup = { id: this.freshId(suggestId(n, "group")), name: n, members, isNew };
    this.groups.push(g);
    this.ids.add(g.id);
    return g;
  }

  /** A person by name; their unit is read from the title (the part before the post). */
  person(name: string, title: string | undefined, unitName: string | undefined): string {
    const n = cjk(name);
    const known = this.units.find((u) => u.kind === "person" && u.name === n);
    if (known) return known.id;
    const parent = unitName ? this.ref(unitName) : undefined;
    return this.add({
      id: this.freshId(suggestId(n, "person")),
      name: n,
      kind: "person",
      ...(parent && !parent.startsWith("@") ? { parent } : {}),
      ...(title ? { title } : {}),
      isNew: true,
      aliases: [],
    }).id;
  }

  newUnits(): RegUnit[] {
    return this.units.filter((u) => u.isNew);
  }
}
