// Where a problem's path (clues[3].points) is in the text the organizer sent, and which
// clue it names: the server answers with paths into the document, people think in lines
// and clue ids. Block-style YAML (what the console writes and most people write) is read
// by indentation; JSON text is parsed for the ids. No YAML library: none ships here.

function unquote(value) {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

function stripComment(text) {
  // A # starts a comment at the line's start or after a space, outside quotes.
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      return text.slice(0, i);
    }
  }
  return text;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'[^']*'|[^\s#'"{[\]}][^:#]*?)\s*:(?:\s+(.*)|\s*)$/;

/** Map each path ("clues[0].answer.accept[1]") to its 1-based line, and each path's scalar value. */
export function yamlPaths(text) {
  const lines = new Map();
  const values = new Map();
  // Open containers, innermost last: maps by the column of their keys, sequences by their dashes'.
  const stack = [{ kind: "map", indent: 0, path: "" }];
  let pending = null; // a key with nothing after its colon: {path, column}
  let blockScalar = null; // the column of a key whose value is a | or > block
  const top = () => stack[stack.length - 1];
  const source = text.split(/\r?\n/);
  for (let n = 0; n < source.length; n++) {
    const raw = source[n];
    let column = raw.length - raw.trimStart().length;
    const body = stripComment(raw).trimEnd();
    if (blockScalar !== null) {
      if (!body.trim() || column > blockScalar) continue;
      blockScalar = null;
    }
    if (!body.trim() || body.trim() === "---" || body.trim() === "...") continue;
    let rest = body.slice(column);
    while (rest === "-" || rest.startsWith("- ")) {
      if (pending && column >= pending.column) {
        stack.push({ kind: "seq", indent: column, path: pending.path, next: 0 });
      } else {
        while (stack.length > 1 && !(top().kind === "seq" && top().indent === column) && top().indent >= column) stack.pop();
      }
      pending = null;
      if (top().kind !== "seq") break; // a dash where no list can be: leave it to the server
      const itemPath = `${top().path}[${top().next++}]`;
      lines.set(itemPath, n + 1);
      const dash = column;
      const after = rest.slice(1);
      column += 1 + (after.length - after.trimStart().length);
      rest = after.trimStart();
      if (!rest) {
        pending = { path: itemPath, column: dash };
      } else if (rest === "-" || rest.startsWith("- ")) {
        pending = { path: itemPath, column };
      } else if (rest && KEY.test(rest)) {
        stack.push({ kind: "map", indent: column, path: itemPath });
      } else if (rest) {
        values.set(itemPath, unquote(rest));
        rest = "";
      }
    }
    const match = rest ? KEY.exec(rest) : null;
    if (!match) {
      if (rest) pending = null;
      continue;
    }
    if (pending && column > pending.column) {
      stack.push({ kind: "map", indent: column, path: pending.path });
    } else {
      while (stack.length > 1 && (top().indent > column || (top().kind === "seq" && top().indent >= column))) stack.pop();
    }
    pending = null;
    const parent = top().path;
    const key = unquote(match[1]);
    const path = parent ? `${parent}.${key}` : key;
    lines.set(path, n + 1);
    const value = match[2] === undefined ? "" : match[2].trim();
    if (value === "") pending = { path, column };
    else if (/^[|>][-+0-9]*$/.test(value)) blockScalar = column;
    else values.set(path, unquote(value));
  }
  return { lines, values };
}

/** The ids of the document's clues, rounds and parts by index: {"clues[3]": "dock-9", ...}. */
export function itemIds(text) {
  const ids = new Map();
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{")) {
    try {
      const doc = JSON.parse(text);
      for (const list of ["clues", "rounds"]) {
        (doc[list] || []).forEach((item, i) => {
          if (item && typeof item.id === "string") ids.set(`${list}[${i}]`, item.id);
          (item?.answer?.parts || []).forEach((part, j) => {
            if (part && typeof part.id === "string") ids.set(`${list}[${i}].answer.parts[${j}]`, part.id);
          });
          (item?.hints || []).forEach((hint, j) => {
            if (hint && typeof hint.id === "string") ids.set(`${list}[${i}].hints[${j}]`, hint.id);
          });
        });
      }
    } catch {
      /* not JSON after all: no ids */
    }
    return { ids, lines: new Map() };
  }
  const { lines, values } = yamlPaths(text);
  for (const [path, value] of values) {
    if (path.endsWith(".id")) ids.set(path.slice(0, -3), value);
  }
  return { ids, lines };
}

/**
 * A problem's path in people's words: "clues[3].answer.accept" -> {clue: "dock-9",
 * rest: "answer.accept", line}. Indexes of parts and hints become their ids too.
 */
export function describePath(path, located) {
  const { ids, lines } = located;
  let line = null;
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
    if (lines.has(p)) {
      line = lines.get(p);
      break;
    }
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
  }
  const match = /^(clues|rounds)\[(\d+)\](.*)$/.exec(path);
  if (!match) return { item: null, rest: path, line };
  const itemPath = `${match[1]}[${match[2]}]`;
  const id = ids.get(itemPath);
  let rest = match[3].replace(/^\./, "");
  rest = rest.replace(/(answer\.parts|hints)\[(\d+)\]/g, (whole, list, index) => {
    const inner = ids.get(`${itemPath}.${list}[${index}]`);
    return inner ? `${list}[${inner}]` : whole;
  });
  return { item: id ? { list: match[1], id } : null, rest: id ? rest : path, line };
}
