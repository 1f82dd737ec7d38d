// What a time-travelling leaderboard names as its point in the log: the version and the
// time of its last event (log-features.md). Read from `as_of` as an object
// ({version, time}) or as a time beside a `version` field; version null: the server
// answered the live board (it does not travel).

export function asOf(board) {
  const value = board?.as_of;
  if (value && typeof value === "object") return { version: value.version ?? null, time: value.time ?? null };
  return { version: board?.version ?? board?.as_of_version ?? null, time: value ?? null };
}
