// Horizontal bar charts drawn as inline SVG, with the numbers also in a table for screen readers.

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A figure with one bar per item: items [{label, value}]; colour a CSS colour. */
export function barChart({ title, items, colour }) {
  const width = 320;
  const labelWidth = 110;
  const barArea = width - labelWidth - 40;
  const rowHeight = 26;
  const height = items.length * rowHeight + 8;
  const max = Math.max(1, ...items.map((i) => i.value));
  const figure = document.createElement("figure");
  figure.className = "chart";
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": `${title}: ${items.map((i) => `${i.label} ${i.value}`).join(", ")}` });
  chart.append(svg("title", {}, title));
  chart.append(svg("line", { class: "axis", x1: labelWidth, x2: labelWidth, y1: 2, y2: height - 4 }));
  items.forEach((item, index) => {
    const y = 4 + index * rowHeight;
    const length = Math.round((item.value / max) * barArea);
    const label = item.label.length > 16 ? `${item.label.slice(0, 15)}…` : item.label;
    chart.append(svg("text", { x: labelWidth - 6, y: y + 15, "text-anchor": "end" }, label));
    chart.append(svg("rect", { x: labelWidth, y: y + 2, width: Math.max(length, item.value ? 2 : 0), height: rowHeight - 8, rx: 3, fill: colour }));
    chart.append(svg("text", { class: "value", x: labelWidth + length + 5, y: y + 15 }, String(item.value)));
  });
  figure.append(caption, chart, table(title, items));
  return figure;
}

function table(title, items) {
  const element = document.createElement("table");
  element.className = "visually-hidden";
  const caption = element.createCaption();
  caption.textContent = title;
  for (const item of items) {
    const row = element.insertRow();
    const head = document.createElement("th");
    head.scope = "row";
    head.textContent = item.label;
    row.append(head);
    row.insertCell().textContent = String(item.value);
  }
  return element;
}
