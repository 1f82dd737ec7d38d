// One clue on the player page: its text, value, state, answer form and hints.

import { api } from "../lib/api.js";
import { confirmDialog } from "../lib/confirm.js";
import { clear, h, notify } from "../lib/dom.js";
import { answerForm } from "./answer-forms.js";
import { showRefusal, showReply } from "./results.js";

const KIND_LABELS = { text: "Text answer", code: "Code", geo: "GPS check-in", photo: "Photo" };

/** ctx: {huntId, session, onChanged()} — onChanged refetches clues and progress. */
export function createClueCard(clue, ctx) {
  const headingId = `clue-${clue.id}-title`;
  const points = h("span", { class: "points" });
  const meta = h("div", { class: "clue-meta" });
  const message = h("div", { class: "notice", role: "status", "aria-live": "polite" });
  const hints = h("section", { class: "hints", "aria-label": `Hints for ${clue.title || clue.id}` });
  const formSlot = h("div");
  const element = h(
    "article",
    { class: "card clue", id: `clue-${clue.id}`, "aria-labelledby": headingId, dataset: { clue: clue.id } },
    h("div", { class: "clue-head" }, h("h3", { id: headingId }, clue.title || clue.id), points),
    meta,
    clue.text ? h("p", { class: "clue-text" }, clue.text) : null,
    formSlot,
    message,
    hints,
  );

  let current = clue;
  let waiting = false;
  let locked = false;
  let justUnlocked = null;
  const say = (kind, text) => notify(message, kind, text);

  async function send(body) {
    setBusy(true);
    clear(message);
    try {
      const isForm = body instanceof FormData;
      const reply = await api(`/api/hunts/${encodeURIComponent(ctx.huntId)}/submissions`, {
        method: "POST",
        token: ctx.session.token,
        idempotent: true,
        ...(isForm ? { body } : { json: body }),
      });
      showReply(card, reply);
      ctx.onChanged();
      return true;
    } catch (error) {
      showRefusal(card, error);
      if (error.status !== 429) ctx.onChanged();
      return false;
    } finally {
      setBusy(false);
    }
  }

  const form = answerForm(clue, send, say);
  formSlot.append(form);

  function setBusy(busy) {
    for (const control of form.querySelectorAll("button, input")) {
      control.disabled = busy || waiting || locked;
    }
  }

  const card = {
    element,
    message,
    lock() {
      locked = true;
      render();
    },
    setWaiting(value) {
      waiting = value;
      setBusy(false);
    },
    update(next) {
      current = next;
      render();
    },
  };

  function render() {
    const c = current;
    points.textContent = `${c.points} pts`;
    locked = locked || (!c.solved && c.attempts_left === 0);
    element.classList.toggle("solved", c.solved);
    element.classList.toggle("locked", locked && !c.solved);
    const badges = [h("span", { class: "badge" }, KIND_LABELS[c.kind] || c.kind)];
    if (c.solved) badges.push(h("span", { class: "badge ok" }, "Solved"));
    else if (locked) badges.push(h("span", { class: "badge bad" }, "Locked"));
    if (!c.solved && c.attempts_left !== null && c.attempts_left !== undefined) {
      badges.push(h("span", { class: "badge warn" }, `${c.attempts_left} attempt${c.attempts_left === 1 ? "" : "s"} left`));
    }
    meta.replaceChildren(...badges);
    formSlot.hidden = c.solved || locked;
    setBusy(false);
    renderHints(c);
  }

  function renderHints(c) {
    if (!c.hints.length) {
      hints.hidden = true;
      return;
    }
    hints.hidden = false;
    const items = c.hints.map((hint, index) => {
      if (hint.unlocked) {
        const shown = h("li", { class: "hint-shown", tabindex: -1 }, h("strong", {}, `Hint ${index + 1}: `), hint.text);
        if (hint.id === justUnlocked) queueMicrotask(() => shown.focus());
        return shown;
      }
      const label = `Unlock hint ${index + 1} (costs ${hint.cost} point${hint.cost === 1 ? "" : "s"})`;
      return h("li", {}, h("button", { type: "button", class: "secondary", onclick: () => unlock(hint, index) }, label));
    });
    hints.replaceChildren(h("h4", {}, "Hints"), h("ul", {}, items));
  }

  async function unlock(hint, index) {
    const yes = await confirmDialog({
      title: `Unlock hint ${index + 1}?`,
      text: `This hint costs your team ${hint.cost} point${hint.cost === 1 ? "" : "s"}, taken from your score now.`,
      yes: `Unlock for ${hint.cost} points`,
    });
    if (!yes) return;
    try {
      const reply = await api(
        `/api/hunts/${encodeURIComponent(ctx.huntId)}/clues/${encodeURIComponent(current.id)}/hints/${encodeURIComponent(hint.id)}`,
        { method: "POST", token: ctx.session.token, idempotent: true },
      );
      say("info", `Hint unlocked for ${reply.hint.cost} points. Your score is now ${reply.score}.`);
      current = {
        ...current,
        hints: current.hints.map((h2) => (h2.id === hint.id ? { ...h2, unlocked: true, text: reply.hint.text } : h2)),
      };
      justUnlocked = hint.id;
      render();
      justUnlocked = null;
      ctx.onChanged();
    } catch (error) {
      const text = error.status === 423 ? `Hints open only while the hunt is live: ${error.message}.` : error.message;
      say("bad", text);
    }
  }

  render();
  return card;
}
