// FLIP: remember where elements were, move them in the DOM, then animate from old to new.

const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export function measure(elements) {
  const rects = new Map();
  for (const element of elements) rects.set(element, element.getBoundingClientRect());
  return rects;
}

/** After the DOM changed: slide every element that moved from its old place to its new one. */
export function play(rects, duration = 600) {
  if (reduceMotion.matches) return;
  for (const [element, before] of rects) {
    if (!element.isConnected) continue;
    const after = element.getBoundingClientRect();
    const dy = before.top - after.top;
    if (Math.abs(dy) < 1) continue;
    element.animate(
      [{ transform: `translateY(${dy}px)` }, { transform: "translateY(0)" }],
      { duration, easing: "cubic-bezier(0.2, 0.8, 0.2, 1)" },
    );
  }
}

export function enter(element) {
  if (reduceMotion.matches) return;
  element.animate([{ opacity: 0, transform: "scale(0.96)" }, { opacity: 1, transform: "none" }], {
    duration: 500,
    easing: "ease-out",
  });
}
