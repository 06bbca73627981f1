import type { DraftGroup, DraftLeadingGroup, DraftPerson } from "./model.ts";
import { sentences, type Outline } from "./outline.ts";
import { splitUnits } from "./recognise-structure.ts";
import { unitOfTitle } from "./units.ts";

const LABEL = /^(组\s*长|常务副组长|副\s*组\s*长|成\s*员)\s*[:：]\s*(.*)$/;

/** 胡  京  市人力社保局法规处处长 → 胡京 with that post; 张三（市局副局长） also. */
function person(text: string): DraftPerson | undefined {
  const t = text.trim();
  const paren = /^([\u4e00-\u9fff·]{2,4})\s*[（(]([^）)]+)[）)]$/.exec(t);
  if (paren) return withUnit({ name: paren[1]!, title: paren[2]! });
  const tokens = t.split(/\s+/).filter(Boolean);
  if (tokens.length === 1) return /^[\u4e00-\u9fff·]{2,4}$/.test(t) ? { name: t } : undefined;
  const title = tokens[tokens.length - 1]!;
  const name = tokens.slice(0, -1).join("");
  if (!/^[\u4e00-\u9fff·]{2,4}$/.test(name)) return undefined;
  return withUnit({ name, title });
}

function withUnit(p: DraftPerson): DraftPerson {
  const unit = p.title ? unitOfTitle(p.title) : undefined;
  return unit ? { ...p, unit } : p;
}

/** 组长：… 副组长：… 成员：… lines, 办公室设在…，办公室主任由…兼任, and 决定成立…领导小组. */
export function recogniseLeadingGroup(o: Outline): DraftLeadingGroup | undefined {
  for (const s of o.sections) {
    const start = s.paras.findIndex((p) => LABEL.test(p));
    if (start < 0) continue;
    const g: DraftLeadingGroup = { deputies: [], members: [], source: { section: s.number, quote: s.paras[start]! } };
    let label = "";
    for (const p of s.paras.slice(start)) {
      const m = LABEL.exec(p);
      const text = m ? m[2]! : p;
      if (m) label = m[1]!.replace(/\s/g, "");
      // 成员：张三、李四、王五 (names only) or one person per line with a post.
      const people = /、/.test(text) && !/\s{2,}/.test(text) && text.split("、").every((x) => /^[\u4e00-\u9fff·]{2,4}$/.test(x.trim())) ? text.split("、").map((x) => ({ name: x.trim() })) : [person(text)].filter((x): x is DraftPerson => x !== undefined);
      if (!people.length) {
        if (!m) label = "";
        continue;
      }
      if (label === "组长") g.leader ??= people[0];
      else if (label === "副组长" || label === "常务副组长") g.deputies.push(...people);
      else if (label === "成员") g.members.push(...people);
    }
    const text = s.paras.join("");
    const name = /成立([^，。]*?(?:领导小组|工作专班|指挥部))/.exec(text);
    if (name) g.name = name[1]!.replace(/^(了|由)/, "");
    const office = /((?:领导小组)?办公室)设在([^，。]+)/.exec(text);
    if (office) {
      const quote = s.paras.flatMap(sentences).find((x) => x.includes(office[0])) ?? office[0];
      const director = /办公室主任由([\u4e00-\u9fff·]{2,4}?)(?:同志)?(?:兼任|担任)/.exec(text);
      g.office = { name: office[1]!.startsWith("领导小组") ? office[1]! : `领导小组${office[1]}`, unit: office[2]!, ...(director ? { director: director[1]! } : {}), source: { section: s.number, quote } };
    }
    return g;
  }
  return undefined;
}

/** 由市场监管局、公安局、人社局组成联合检查组 → a named group of units. */
export function recogniseJointGroups(o: Outline): DraftGroup[] {
  const out: DraftGroup[] = [];
  const re = /由([^。；]+?)(?:等部门|等单位)?(?:抽调[^，。]*?)?(?:共同)?组成(?:的)?([^，。；]{0,12}?(?:联合检查组|督导组|检查组|工作专班|工作组))/;
  for (const s of o.sections)
    for (const p of s.paras)
      for (const x of sentences(p)) {
        const m = re.exec(x);
        if (!m) continue;
        const members = splitUnits(m[1]!.replace(/^(市|区|县)?[^，、]*?抽调/, ""));
        if (members.length) out.push({ name: m[2]!, members, source: { section: s.number, quote: x } });
      }
  return out;
}
