// Plain strings, named for what they hold. (Branding them would make every id from a file or a request
// need a cast at the edge; the names already keep a unit id out of a campaign id's place in review.)
export type UnitId = string;
export type PhaseId = string;
export type TaskId = string;
export type DeliverableId = string;
export type PolicyId = string;
export type AssignmentId = string;
export type KindId = string;
export type UnitKind = "department" | "district" | "external" | "person";
export type RestDayRule = "next" | "previous" | "keep";
