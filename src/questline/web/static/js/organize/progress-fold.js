// Each team's progress folded from the hunt's log, for the team x clue grid, the per-part
// statistics and the client_time of submissions: when each clue was solved, wrong answers
// and hints per clue, photos waiting, and each team's latest events.

const KEPT_PER_TEAM = 25;

/** RFC 3339 or microseconds since the epoch -> milliseconds, or null. */
export function millis(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return Math.floor(value / 1000);
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

function newTeam(id) {
  return {
    id,
    name: id,
    division: null,
    registeredAt: null,
    solved: new Map(), // clue -> ms
    parts: new Map(), // clue -> Set of part ids
    wrong: new Map(), // clue -> count
    hints: new Map(), // clue -> count
    waiting: new Map(), // review id -> clue
    recent: [], // newest last
  };
}

export function createProgressFold() {
  const teams = new Map();
  const parts = new Map(); // "clue/part" -> {solves, wrong, keep_going}
  const clientTimes = new Map(); // review id -> client_time of the photo
  let lastPosition = 0;
  let lastVersion = 0;

  const team = (id) => {
    if (!teams.has(id)) teams.set(id, newTeam(id));
    return teams.get(id);
  };
  const partStats = (clue, part) => {
    const key = `${clue}/${part}`;
    if (!parts.has(key)) parts.set(key, { clue, part, solves: 0, wrong: 0, keep_going: 0 });
    return parts.get(key);
  };
  const bump = (map, key) => map.set(key, (map.get(key) || 0) + 1);

  function apply(event) {
    if (event.position <= lastPosition) return false;
    lastPosition = event.position;
    lastVersion = event.version;
    const p = event.payload || {};
    const at = millis(event.time);
    if (!p.team_id) return true;
    const t = team(p.team_id);
    switch (event.type) {
      case "team_registered":
        t.name = p.name;
        t.division = p.division ?? null;
        t.registeredAt = at;
        break;
      case "clue_solved": {
        const counts = millis(p.counts_at_time) ?? at;
        const before = t.solved.get(p.clue_id);
        t.solved.set(p.clue_id, before === undefined ? counts : Math.min(before, counts));
        if (p.review_id) t.waiting.delete(p.review_id);
        break;
      }
      case "part_solved":
        if (!t.parts.has(p.clue_id)) t.parts.set(p.clue_id, new Set());
        t.parts.get(p.clue_id).add(p.part_id);
        partStats(p.clue_id, p.part_id).solves += 1;
        break;
      case "answer_wrong":
        bump(t.wrong, p.clue_id);
        if (p.part_id) partStats(p.clue_id, p.part_id).wrong += 1;
        break;
      case "kept_going":
        if (p.part_id) partStats(p.clue_id, p.part_id).keep_going += 1;
        break;
      case "hint_unlocked":
        bump(t.hints, p.clue_id);
        break;
      case "photo_submitted":
        t.waiting.set(p.review_id, p.clue_id);
        if (p.client_time !== undefined && p.client_time !== null) clientTimes.set(p.review_id, p.client_time);
        break;
      case "photo_rejected":
        t.waiting.delete(p.review_id);
        break;
      default:
        break;
    }
    t.recent.push(event);
    if (t.recent.length > KEPT_PER_TEAM) t.recent.shift();
    return true;
  }

  return {
    /** Fold events (in log order); returns whether any was new. */
    add(events) {
      let changed = false;
      for (const event of events) changed = apply(event) || changed;
      return changed;
    },
    teams,
    parts,
    clientTimes,
    get position() {
      return lastPosition;
    },
    get version() {
      return lastVersion;
    },
  };
}
