// A sparkline: values drawn as a polyline in a 120x30 viewBox, scaled to their maximum.

export function sparkline(polyline, values) {
  if (!values.length) {
    polyline.setAttribute("points", "");
    return;
  }
  const top = Math.max(...values, 1e-9);
  const step = values.length > 1 ? 120 / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(29 - (v / top) * 27).toFixed(1)}`);
  if (values.length === 1) points.push(`120,${points[0].split(",")[1]}`);
  polyline.setAttribute("points", points.join(" "));
}
