/**
 * A catch-up of more working days than this is large: the CLI announces it, the daemon logs it, and by
 * default the daemon does not send what such a catch-up found older than its window. A module of its own,
 * so that a command can read the bound before the engine loads.
 */
export const LARGE_CATCH_UP_WORKING_DAYS = 3;
