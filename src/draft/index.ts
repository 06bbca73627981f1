import { draftFromDocument } from "./draft.ts";
import { emitPlan, type Emitted } from "./emit.ts";
import type { Draft } from "./model.ts";
import { readNotice, type NoticeErrorCode } from "./read-document.ts";
import { UnitRegistry } from "./units.ts";
import { readUnitsFile } from "./units-file.ts";

export { checkDraft, type CheckReport } from "./check.ts";
export type { Draft } from "./model.ts";

export interface DraftFileOptions {
  unitsFile?: string;
  year?: number;
  fallbackYear: number;
  schemaPath: string;
}

export type DraftFileResult =
  | { ok: true; draft: Draft; emitted: Emitted; registry: UnitRegistry }
  | { ok: false; code: NoticeErrorCode | "UNITS_FILE"; message: string };

/** Notice file → draft model → plan text. Never throws for a bad file. */
export async function draftNoticeFile(file: string, opts: DraftFileOptions): Promise<DraftFileResult> {
  let registry = new UnitRegistry();
  if (opts.unitsFile) {
    const u = readUnitsFile(opts.unitsFile);
    if (!u.ok) return { ok: false, code: "UNITS_FILE", message: u.message };
    registry = u.registry;
  }
  const read = await readNotice(file);
  if (!read.ok) return read;
  const draft = draftFromDocument(read.doc, { ...(opts.year !== undefined ? { year: opts.year } : {}), fallbackYear: opts.fallbackYear });
  const emitted = emitPlan(draft, { schemaPath: opts.schemaPath, registry, ...(opts.unitsFile ? { unitsFile: opts.unitsFile } : {}) });
  return { ok: true, draft, emitted, registry };
}
