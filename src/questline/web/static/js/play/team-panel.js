// The team's token, which is all a phone needs to play as the team: shown only when
// asked, with copy buttons and a QR code of the join link (the token rides in the
// link's fragment, which browsers never send to a server); a new token for the team,
// optionally cutting off every other phone; and Leave, which asks first and says the
// token is needed to come back.

import { api } from "../lib/api.js";
import { $, h, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { ask } from "./ask.js";
import { qrSvg } from "./qr-svg.js";
import { joinLink } from "./session.js";

async function copy(text, button, doneKey) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = t(doneKey);
  } catch {
    button.textContent = t("play.token.copy_failed");
  }
}

/** ctx: {huntId, session(), onNewToken(token), onLeave()} */
export function setUpTeamPanel(ctx) {
  const reveal = $("#show-token");
  const secret = $("#token-secret");
  const message = $("#token-message");

  function fill() {
    const session = ctx.session();
    $("#token-value").value = session.token;
    $("#share-link").value = joinLink(location, session);
    $("#share-team-id").textContent = session.team_id;
    $("#token-qr").replaceChildren(qrSvg(joinLink(location, session), t("play.token.qr_label")));
    $("#copy-token").textContent = t("play.token.copy_token");
    $("#copy-link").textContent = t("play.token.copy_link");
  }

  function hide() {
    secret.hidden = true;
    reveal.setAttribute("aria-expanded", "false");
    reveal.textContent = t("play.token.show");
    $("#token-value").value = "";
    $("#share-link").value = "";
    $("#token-qr").replaceChildren();
  }

  reveal.addEventListener("click", () => {
    if (!secret.hidden) return hide();
    fill();
    secret.hidden = false;
    reveal.setAttribute("aria-expanded", "true");
    reveal.textContent = t("play.token.hide");
    $("#token-value").focus();
  });
  $("#copy-token").addEventListener("click", () => copy(ctx.session().token, $("#copy-token"), "play.token.copied"));
  $("#copy-link").addEventListener("click", () => copy(joinLink(location, ctx.session()), $("#copy-link"), "play.token.copied"));

  $("#new-token").addEventListener("click", async () => {
    const revoke = $("#revoke-others").checked;
    const yes = await ask({
      title: t(revoke ? "play.token.new_revoke_title" : "play.token.new_title"),
      text: t(revoke ? "play.token.new_revoke_text" : "play.token.new_text"),
      yes: t(revoke ? "play.token.new_revoke_yes" : "play.token.new_yes"),
      no: t("play.token.new_no"),
      danger: revoke,
    });
    if (!yes) return;
    const session = ctx.session();
    try {
      const reply = await api(
        `/api/hunts/${encodeURIComponent(ctx.huntId)}/teams/${encodeURIComponent(session.team_id)}/tokens`,
        { method: "POST", token: session.token, json: revoke ? { revoke_others: true } : {} },
      );
      ctx.onNewToken(reply.token);
      fill();
      secret.hidden = false;
      reveal.setAttribute("aria-expanded", "true");
      reveal.textContent = t("play.token.hide");
      notify(message, "ok", t(revoke ? "play.token.made_revoked" : "play.token.made"));
      $("#token-value").focus();
    } catch (error) {
      notify(message, "bad", error.status === 0 ? t("play.token.offline") : t("play.token.failed", { message: error.message }));
    }
  });

  $("#leave").addEventListener("click", async () => {
    const session = ctx.session();
    const tokenBox = h("input", { class: "mono", readonly: true, value: session.token, "aria-label": t("play.token.label"), id: "leave-token" });
    const copyButton = h("button", { type: "button", class: "secondary", onclick: () => copy(session.token, copyButton, "play.token.copied") }, t("play.token.copy_token"));
    const queued = await ctx.queuedCount();
    const yes = await ask({
      title: t("play.leave.title"),
      text: t("play.leave.text"),
      yes: t("play.leave.yes"),
      no: t("play.leave.no"),
      danger: true,
      body: h(
        "div",
        { class: "leave-token" },
        h("label", { for: "leave-token" }, t("play.token.label")),
        h("div", { class: "row" }, h("div", { class: "grow" }, tokenBox), copyButton),
        h("p", { class: "hint-text" }, t("play.leave.team_id", { team: session.team_id })),
        queued ? h("p", { class: "notice warn" }, t("play.leave.queued", { n: queued })) : null,
      ),
    });
    if (yes) {
      hide();
      ctx.onLeave();
    }
  });

  return { hide };
}
