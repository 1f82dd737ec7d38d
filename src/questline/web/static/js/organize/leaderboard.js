// The live leaderboard in the console: the true standings, also during a freeze (organizers
// read the live board), per division when the hunt has divisions; refreshed from the route
// when the stream says the board changed, at most about once a second.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { formatNumber, formatTime, t } from "../lib/i18n.js";

const ROWS = 50;

export function createLeaderboard({ token, onTeams }) {
  const body = $("#board tbody");
  const select = $("#board-division");
  let huntId = null;
  let hunt = null;
  let timer = null;
  let loading = null;

  async function load() {
    if (!huntId) return;
    const division = select.value;
    const query = `limit=${ROWS}${division ? `&division=${encodeURIComponent(division)}` : ""}`;
    const board = await api(`/api/hunts/${encodeURIComponent(huntId)}/leaderboard?${query}`, { token: token() });
    body.replaceChildren(
      ...board.teams.map((row) =>
        h(
          "tr",
          { dataset: { team: row.team_id } },
          h("td", { class: "num" }, formatNumber(row.rank)),
          h("th", { scope: "row" }, h("a", { href: `#progress:${encodeURIComponent(row.team_id)}` }, row.name)),
          h("td", { class: "num" }, formatNumber(row.score)),
          h("td", { class: "num" }, formatNumber(row.solved)),
          h("td", {}, row.finished_at ? h("span", { class: "badge ok" }, t("organize.board.finished_at", { time: formatTime(row.finished_at) })) : ""),
        ),
      ),
    );
    $("#board-total").textContent = board.total > board.teams.length ? t("organize.board.more", { shown: board.teams.length, total: board.total }) : "";
    note();
    onTeams(board.teams);
  }

  function note() {
    const element = $("#board-note");
    const now = Date.now();
    if (hunt?.freeze_at && Date.parse(hunt.freeze_at) <= now && now < Date.parse(hunt.ends_at)) {
      notify(element, "info", t("organize.board.frozen", { time: formatTime(hunt.freeze_at) }));
    } else {
      clear(element);
    }
  }

  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(async () => {
      timer = null;
      if (loading) await loading;
      loading = load().catch(() => {}).finally(() => {
        loading = null;
      });
    }, 800);
  }

  select.addEventListener("change", () => load().catch(() => {}));

  return {
    /** hunt: the hunt summary; definition: the organizer's document (for divisions). */
    async open(nextHunt, definition) {
      huntId = nextHunt.id;
      hunt = nextHunt;
      const divisions = definition?.hunt?.divisions || [];
      $("#division-field").hidden = divisions.length === 0;
      select.replaceChildren(
        h("option", { value: "" }, t("organize.board.all_divisions")),
        ...divisions.map((d) => h("option", { value: d.id }, d.title)),
      );
      await load();
    },
    setHunt(next) {
      hunt = next;
      note();
    },
    refreshSoon,
  };
}
