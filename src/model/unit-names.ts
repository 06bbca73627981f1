import type { ResolvedPlan } from "./definition.ts";
import type { UnitId } from "./ids.ts";
import type { UnitLookup } from "./fields.ts";

/**
 * The units a person may name where an item is owed (a sheet's 责任单位, a form, `--to`): by id, full
 * name or short name. People are left out: items are owed by units. A name two units share finds
 * neither; `ambiguous` says which units it could be.
 */
export interface UnitNames {
  find: UnitLookup;
  ambiguous(text: string): UnitId[] | undefined;
  /** Every name one may write, for "did you mean". */
  names(): Iterable<string>;
}

export function unitNamesOf(plan: Pick<ResolvedPlan, "units">): UnitNames {
  const byName = new Map<string, Set<UnitId>>();
  const add = (name: string | undefined, id: UnitId) => {
    if (!name) return;
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(id);
  };
  for (const u of plan.units.values()) {
    if (u.kind === "person") continue;
    add(u.id, u.id);
    add(u.name, u.id);
    add(u.short, u.id);
    // A district's bureau is named for its district (渝中区人力社保局): people write the district (渝中区).
    const place = u.kind === "district" ? /^(.+?(?:自治县|区|县|市))(?=.)/.exec(u.name)?.[1] : undefined;
    if (place && place !== u.name) add(place, u.id);
  }
  return {
    find(text) {
      const t = text.trim();
      // An id always means its own unit, even when another unit's short name spells the same.
      const own = plan.units.get(t);
      if (own && own.kind !== "person") return t;
      const set = byName.get(t);
      return set?.size === 1 ? [...set][0] : undefined;
    },
    ambiguous(text) {
      const set = byName.get(text.trim());
      return set && set.size > 1 && !plan.units.has(text.trim()) ? [...set] : undefined;
    },
    names: () => byName.keys(),
  };
}
