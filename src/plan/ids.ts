import type { Assignment, ResolvedPlan } from "./types.ts";

/**
 * Assignment ids are `deliverable/unit`, `deliverable@YYYY-MM-DD/unit` or `task/unit`: the part before
 * the last "/" names the deliverable instance (or task) that every unit owing it shares.
 */
export function instanceOf(assignmentId: string): string {
  const i = assignmentId.lastIndexOf("/");
  return i < 0 ? assignmentId : assignmentId.slice(0, i);
}

/** An id in a URL path, keeping its "/" as a path separator: `/items/progress-report/yuzhong`. */
export function idPath(id: string): string {
  return id.split("/").map(encodeURIComponent).join("/");
}

// Built once per plan version (a board, a digest, a page view all look assignments up by id).
const assignmentIndex = new WeakMap<ResolvedPlan, Map<string, Assignment>>();

export function assignmentsById(plan: ResolvedPlan): Map<string, Assignment> {
  let m = assignmentIndex.get(plan);
  if (!m) assignmentIndex.set(plan, (m = new Map(plan.assignments.map((a) => [a.id, a]))));
  return m;
}
