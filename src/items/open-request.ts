import type { EpochMs } from "../model/time.ts";
import type { KindId, UnitId } from "../model/ids.ts";
import type { Actor } from "../engine/types.ts";

/**
 * A request to open one item of a kind: what `duban open`, the 交办 form, the API and an import row give
 * the engine. Written here word for word as the engine's own (src/engine/types.ts, landing with the
 * engine's openings); when it lands, this file becomes `export type { OpenRequest } from "../engine/types.ts"`.
 */
export interface OpenRequest {
  kind: KindId;
  to: UnitId[];
  title: string;
  due?: EpochMs;
  level?: string;
  fields?: Readonly<Record<string, unknown>>;
  note?: string;
  key?: string;
  actor: Actor;
}
