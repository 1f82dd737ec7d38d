// The index page: go to a hunt's player page or its leaderboard.

import { $, notify } from "./lib/dom.js";

$("#go").addEventListener("submit", (event) => {
  event.preventDefault();
  const hunt = $("#hunt").value.trim();
  if (!/^[a-z0-9-]{1,64}$/.test(hunt)) {
    notify($("#go-message"), "bad", "A hunt id has 1 to 64 lowercase letters, digits or dashes.");
    $("#hunt").focus();
    return;
  }
  const page = event.submitter?.value === "board" ? "board" : "play";
  location.assign(`/${page}/${encodeURIComponent(hunt)}`);
});
