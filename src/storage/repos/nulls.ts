// SQLite hands back NULL where the records say "absent": one conversion for every repository.

/** NULL column → undefined field. */
export const u = <T>(v: T | null): T | undefined => (v === null ? undefined : v);
