// The console's sections as tabs, chosen by the address's fragment so links can point into
// them: #live, #progress, #progress:<team>, #edit, #stats, #fairplay, #log:<versions>.

import { $ } from "../lib/dom.js";

const TABS = ["live", "progress", "edit", "stats", "fairplay"];

export function createTabs({ onRoute }) {
  const buttons = [...document.querySelectorAll('[role="tab"]')];

  function select(name, { focusPanel = false } = {}) {
    for (const button of buttons) {
      const chosen = button.dataset.tab === name;
      button.setAttribute("aria-selected", String(chosen));
      button.tabIndex = chosen ? 0 : -1;
      $(`#panel-${button.dataset.tab}`).hidden = !chosen;
    }
    if (focusPanel) $(`#panel-${name}`).focus();
  }

  function route() {
    const [name, argument] = decodeURIComponent(location.hash.slice(1)).split(":");
    if (name === "log") {
      select("live");
      onRoute({ tab: "live", versions: (argument || "").split(",").map(Number).filter((v) => v > 0) });
    } else {
      const tab = TABS.includes(name) ? name : "live";
      select(tab);
      onRoute({ tab, team: tab === "progress" && argument ? argument : null });
    }
  }

  for (const button of buttons) {
    button.addEventListener("click", () => {
      history.replaceState(null, "", `#${button.dataset.tab}`);
      route();
    });
    button.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(button);
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (!step && event.key !== "Home" && event.key !== "End") return;
      event.preventDefault();
      const next = event.key === "Home" ? 0 : event.key === "End" ? buttons.length - 1 : (at + step + buttons.length) % buttons.length;
      buttons[next].focus();
      buttons[next].click();
    });
  }
  window.addEventListener("hashchange", route);
  return { route, select };
}
