// When each clue opened for a team, from the definition (the organizer's document), the
// team's solve times and the clock: the later of the hunt's start, the team's registration,
// the clue's and its round's release times and the moment their `requires` were met
// (hunt-day.md "Timed release", "Rounds and metas"). The grid colours open clues by it.

const UNIT = { h: 3600, m: 60, s: 1 };

/** "1h30m", "45m", "90s" -> milliseconds. */
export function durationMs(text) {
  let seconds = 0;
  for (const [, amount, unit] of String(text).matchAll(/(\d+)\s*([hms])/g)) seconds += Number(amount) * UNIT[unit];
  return seconds * 1000;
}

function releaseMs(item, startsAt) {
  if (item?.opens_at) return Date.parse(item.opens_at);
  if (item?.opens_after) return startsAt + durationMs(item.opens_after);
  return null;
}

function normalizeRequires(requires) {
  if (!requires) return null;
  if (Array.isArray(requires)) return { count: requires.length, of: requires };
  const of = requires.of || [];
  return { count: requires.any ?? requires.all ?? of.length, of };
}

/** When the requirement was met (ms), given the team's solve times; null when it is not. */
function metAt(requires, solved) {
  const r = normalizeRequires(requires);
  if (!r || r.count <= 0) return -Infinity;
  const times = r.of.filter((id) => solved.has(id)).map((id) => solved.get(id)).sort((a, b) => a - b);
  return times.length >= r.count ? times[r.count - 1] : null;
}

/**
 * Each clue's state for one team: Map clue id -> {state: "solved" | "open" | "locked", since}
 * where since is the solve time, the opening time, or (locked) the release time if known.
 */
export function clueStates(definition, team, now) {
  const startsAt = Date.parse(definition.hunt.starts_at);
  const rounds = new Map((definition.rounds || []).map((r) => [r.id, r]));
  const states = new Map();
  for (const clue of definition.clues || []) {
    if (team.solved.has(clue.id)) {
      states.set(clue.id, { state: "solved", since: team.solved.get(clue.id) });
      continue;
    }
    const round = clue.round ? rounds.get(clue.round) : null;
    const moments = [startsAt, team.registeredAt ?? startsAt];
    let locked = false;
    let opensAt = null;
    for (const release of [releaseMs(clue, startsAt), releaseMs(round, startsAt)]) {
      if (release === null) continue;
      if (release > now) {
        locked = true;
        opensAt = Math.max(opensAt ?? 0, release);
      }
      moments.push(release);
    }
    for (const requires of [clue.requires, round?.requires]) {
      const met = metAt(requires, team.solved);
      if (met === null) locked = true;
      else moments.push(met);
    }
    if (now < startsAt) locked = true;
    states.set(clue.id, locked ? { state: "locked", since: opensAt } : { state: "open", since: Math.max(...moments) });
  }
  return states;
}
