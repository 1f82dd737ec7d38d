// The full standings of a hunt in memory: a Map by team and an array in rank order,
// kept sorted as leaderboard deltas arrive (binary search, no DOM, thousands of teams).
//
// Rank order: score descending, last_scoring_version ascending, order (registration) ascending.
// The GET leaderboard rows carry no tie-break keys, so teams known only from a snapshot get
// stand-in keys that keep the snapshot's order and sort before anything that scored later.
// Under `ranking: finish` (new Standings({ranking: "finish"})), finished teams come first,
// in the order they finished; rows keep their finished_at and division.

const NO_SCORING_EVENT = 2 ** 62;
const SNAPSHOT_BASE = -1e12;

function compare(a, b) {
  return b.score - a.score || a.v - b.v || a.o - b.o || (a.team_id < b.team_id ? -1 : a.team_id > b.team_id ? 1 : 0);
}

function compareByFinish(a, b) {
  return (a.f === b.f ? 0 : a.f < b.f ? -1 : 1) || compare(a, b);
}

function finishKey(finishedAt) {
  return finishedAt ? Date.parse(finishedAt) : Infinity;
}

export class Standings {
  #compare;

  constructor({ ranking = "score" } = {}) {
    this.byId = new Map();
    this.order = [];
    this.#compare = ranking === "finish" ? compareByFinish : compare;
  }

  /** Switch between "score" and "finish" ranking (a hunt's ranking is learnt late). */
  setRanking(ranking) {
    this.#compare = ranking === "finish" ? compareByFinish : compare;
    this.order.sort(this.#compare);
  }

  get size() {
    return this.order.length;
  }

  /** Replace everything with a snapshot: teams in rank order, each {team_id, name, score, solved}. */
  reset(teams) {
    this.byId.clear();
    this.order = teams.map((t, index) => {
      const scored = t.score !== 0 || t.solved > 0;
      const entry = {
        team_id: t.team_id,
        name: t.name,
        score: t.score,
        solved: t.solved,
        finished_at: t.finished_at ?? null,
        division: t.division ?? null,
        f: finishKey(t.finished_at),
        v: scored ? SNAPSHOT_BASE + index : NO_SCORING_EVENT,
        o: SNAPSHOT_BASE + index,
      };
      this.byId.set(entry.team_id, entry);
      return entry;
    });
    this.order.sort(this.#compare);
  }

  /** Apply delta rows; returns [{team_id, from, to}] for teams whose own rank changed (1-based). */
  apply(rows) {
    const moves = [];
    for (const row of rows) {
      const old = this.byId.get(row.team_id);
      let from = null;
      if (old) {
        from = this.#indexOf(old);
        this.order.splice(from, 1);
      }
      const entry = {
        team_id: row.team_id,
        name: row.name,
        score: row.score,
        solved: row.solved,
        finished_at: row.finished_at ?? null,
        division: row.division ?? null,
        f: finishKey(row.finished_at),
        v: row.last_scoring_version,
        o: row.order,
      };
      const to = this.#insertionPoint(entry);
      this.order.splice(to, 0, entry);
      this.byId.set(entry.team_id, entry);
      moves.push({ team_id: row.team_id, from: from === null ? null : from + 1, to: to + 1 });
    }
    return moves;
  }

  top(n) {
    return this.order.slice(0, n);
  }

  rankOf(teamId) {
    const entry = this.byId.get(teamId);
    return entry ? this.#indexOf(entry) + 1 : null;
  }

  #insertionPoint(entry) {
    let low = 0;
    let high = this.order.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(this.order[mid], entry) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #indexOf(entry) {
    const index = this.#insertionPoint(entry);
    if (this.order[index] === entry) return index;
    return this.order.indexOf(entry); // never expected; keeps the model safe
  }
}
