// One clue on the player page: its text (safe Markdown), current value and solve count,
// state, answer forms (one per part for a clue in parts), what is queued for it on this
// phone, the server's verdicts and refusals, and its hints.

import { api } from "../lib/api.js";
import { clear, h, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { answerForms } from "./answer-forms.js";
import { ask } from "./ask.js";
import { renderMarkdown } from "./markdown.js";
import { refusal, verdict } from "./results.js";
import { everySecond, formatDuration } from "./time.js";

const KINDS = ["text", "code", "geo", "photo", "parts"];

/** ctx: {huntId, session(), send(clue, body, extra), playable(), onChanged()} */
export function createClueCard(clue, ctx) {
  const headingId = `clue-${clue.id}-title`;
  const title = h("h3", { id: headingId }, clue.title || clue.id);
  const points = h("span", { class: "points" });
  const meta = h("div", { class: "clue-meta" });
  const text = h("div", { class: "clue-text" });
  const message = h("div", { class: "notice", role: "status", "aria-live": "polite" });
  const queuedLine = h("p", { class: "queued-line", hidden: true });
  const hints = h("section", { class: "hints", "aria-label": t("play.hints.label", { clue: clue.title || clue.id }) });
  const formSlot = h("div", { class: "forms" });
  const element = h(
    "article",
    { class: "card clue", id: `clue-${clue.id}`, "aria-labelledby": headingId, dataset: { clue: clue.id } },
    h("div", { class: "clue-head" }, title, points),
    meta,
    text,
    formSlot,
    queuedLine,
    message,
    hints,
  );

  let current = clue;
  let forms = [];
  let lockedOut = false;
  let waitUntil = 0;
  let stopWait = null;
  let isNew = false;
  let team = { pending: false, review: null };
  let queued = [];
  let shownText = null;
  const say = (kind, words) => notify(message, kind, words);

  async function send(body, extra) {
    clear(message);
    try {
      await ctx.send(current, body, extra);
      return true;
    } catch (error) {
      say("bad", t("play.outbox.not_kept", { message: error.message || String(error) }));
      return false;
    }
  }

  function buildForms() {
    forms = answerForms(current, send, say);
    formSlot.replaceChildren(...forms.map((f) => f.element));
  }

  function setControls() {
    const waiting = Date.now() < waitUntil;
    const photoWaiting = current.kind === "photo" && (team.pending || queued.length > 0);
    const off = !ctx.playable() || waiting || lockedOut || photoWaiting;
    for (const control of formSlot.querySelectorAll("button, input")) control.disabled = off;
    for (const button of hints.querySelectorAll("button")) button.disabled = !ctx.playable();
  }

  function render() {
    const c = current;
    points.textContent = t("play.clue.points", { points: c.points });
    lockedOut = lockedOut || (!c.solved && c.attempts_left === 0);
    element.classList.toggle("solved", c.solved);
    element.classList.toggle("locked", lockedOut && !c.solved);
    element.classList.toggle("is-new", isNew);
    const kind = c.parts ? "parts" : KINDS.includes(c.kind) ? c.kind : "text";
    const badges = [];
    if (isNew) badges.push(h("span", { class: "badge new" }, t("play.clue.new")));
    if (c.meta) badges.push(h("span", { class: "badge meta" }, t("play.clue.meta")));
    badges.push(h("span", { class: "badge" }, t(`play.kind.${kind}`)));
    if (c.solved) badges.push(h("span", { class: "badge ok" }, t("play.clue.solved")));
    else if (lockedOut) badges.push(h("span", { class: "badge bad" }, t("play.clue.locked_out")));
    if (!c.solved && c.attempts_left !== null && c.attempts_left !== undefined) {
      badges.push(h("span", { class: "badge warn" }, t(c.attempts_left === 1 ? "play.clue.attempt_left" : "play.clue.attempts_left", { n: c.attempts_left })));
    }
    if (typeof c.solves === "number") {
      badges.push(h("span", { class: "badge solves" }, t(c.solves === 1 ? "play.clue.solves_one" : "play.clue.solves", { n: c.solves })));
    }
    meta.replaceChildren(...badges);
    if (c.text !== shownText) {
      shownText = c.text;
      text.replaceChildren(renderMarkdown(c.text || "", { huntId: ctx.huntId }));
    }
    if (!forms.length || (c.parts && forms.length !== c.parts.length)) buildForms();
    formSlot.hidden = c.solved || lockedOut;
    if (c.parts) {
      for (const form of forms) {
        const part = c.parts.find((p) => p.id === form.part);
        const solved = !!part?.solved;
        form.element.hidden = solved;
        let done = formSlot.querySelector(`.part-done[data-part="${CSS.escape(form.part)}"]`);
        if (solved && !done) {
          done = h("p", { class: "part-done", dataset: { part: form.part } }, t("play.clue.part_solved", { part: part.title || part.id, points: part.points }));
          form.element.after(done);
        } else if (!solved && done) done.remove();
      }
      formSlot.hidden = c.solved || lockedOut;
    }
    renderHints(c);
    setControls();
  }

  /** A photo's review state from the team's progress: news replaces an older line. */
  function renderTeamState(previous = null) {
    if (current.kind !== "photo") return;
    const review = team.review;
    const newReview = review && (!previous?.review || previous.review.time !== review.time);
    if (review && !team.pending && (newReview || !message.textContent)) {
      if (review.approved) say("ok", t("play.photo.approved", { reason: review.reason || "" }).trim());
      else say("bad", t("play.photo.rejected", { reason: review.reason || "–" }));
    } else if (team.pending && !current.solved && !message.textContent) {
      say("info", t("play.photo.waiting"));
    }
  }

  function renderHints(c) {
    if (!c.hints.length) {
      hints.hidden = true;
      return;
    }
    hints.hidden = false;
    const items = c.hints.map((hint, index) => {
      if (hint.unlocked) {
        return h("li", { class: "hint-shown", tabindex: -1, dataset: { hint: hint.id } }, h("strong", {}, t("play.hints.shown", { n: index + 1 })), " ", hint.text);
      }
      const label = t(hint.cost === 1 ? "play.hints.unlock_one" : "play.hints.unlock", { n: index + 1, cost: hint.cost });
      return h("li", {}, h("button", { type: "button", class: "secondary", onclick: () => unlock(hint, index) }, label));
    });
    hints.replaceChildren(h("h4", {}, t("play.hints.title")), h("ul", {}, items));
  }

  async function unlock(hint, index) {
    const yes = await ask({
      title: t("play.hints.ask_title", { n: index + 1 }),
      text: t("play.hints.ask_text", { cost: hint.cost }),
      yes: t("play.hints.ask_yes", { cost: hint.cost }),
      no: t("play.hints.ask_no"),
    });
    if (!yes) return;
    try {
      const reply = await api(
        `/api/hunts/${encodeURIComponent(ctx.huntId)}/clues/${encodeURIComponent(current.id)}/hints/${encodeURIComponent(hint.id)}`,
        { method: "POST", token: ctx.session().token, idempotent: true },
      );
      say("info", t("play.hints.unlocked", { cost: reply.hint.cost, score: reply.score }));
      current = {
        ...current,
        hints: current.hints.map((other) => (other.id === hint.id ? { ...other, unlocked: true, text: reply.hint.text } : other)),
      };
      render();
      hints.querySelector(`[data-hint="${CSS.escape(hint.id)}"]`)?.focus();
      ctx.onChanged();
    } catch (error) {
      const words =
        error.status === 0 ? t("play.hints.offline") : error.status === 423 ? t("play.hints.not_live", { message: error.message }) : error.message;
      say("bad", words);
    }
  }

  function startWait(seconds) {
    waitUntil = Date.now() + seconds * 1000;
    if (stopWait) stopWait();
    stopWait = everySecond(() => {
      const left = Math.ceil((waitUntil - Date.now()) / 1000);
      if (left <= 0) {
        stopWait();
        stopWait = null;
        clear(message);
        setControls();
        return;
      }
      say("warn", t("play.refusal.rate_limited", { wait: formatDuration(left) }));
      message.dataset.retryAfter = String(left);
    });
    setControls();
  }

  // Once the player is in the card it is no longer new; the mark goes with the next
  // render, not now: a layout shift under a pressed button would swallow the click.
  element.addEventListener("focusin", () => {
    isNew = false;
  });

  render();
  return {
    element,
    id: clue.id,
    update(next) {
      current = next;
      render();
    },
    setTeam(next) {
      const previous = team;
      team = next;
      render();
      renderTeamState(previous);
    },
    refreshControls: setControls,
    markNew() {
      isNew = true;
      render();
    },
    /** The outbox items of this clue still waiting to be answered. */
    showQueued(items) {
      queued = items;
      if (!items.length) {
        queuedLine.hidden = true;
      } else {
        const sending = items.some((i) => i.sending_until > Date.now());
        const key = sending ? "play.outbox.sending" : navigator.onLine ? "play.outbox.retrying" : "play.outbox.queued";
        queuedLine.textContent = t(key, { n: items.length });
        queuedLine.className = `queued-line ${sending ? "sending" : "queued"}`;
        queuedLine.hidden = false;
      }
      setControls();
    },
    /** The server answered an item of this clue: show its verdict or refusal. */
    showOutcome(item) {
      if (item.state === "done") {
        const [kind, words] = verdict(item.reply || {}, item);
        say(kind, words);
      } else if (item.error) {
        if (item.error.status === 429) return startWait(item.error.retry_after || 1);
        if (item.error.code === "clue_locked") {
          lockedOut = true;
          render();
        }
        const [kind, words] = refusal(item.error);
        say(kind, words);
      }
    },
  };
}
