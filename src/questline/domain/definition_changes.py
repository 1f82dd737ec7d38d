"""What a revision changes, in lines an organizer reads before applying it.

Compares two definitions field by field: the hunt's own fields, then each clue
(added, removed, or the fields that differ), lists as additions and removals,
times as RFC 3339. Organizers only see these, so stored answers may appear.
"""

from typing import Any

import msgspec

from questline.domain.definition import Clue, HuntDefinition
from questline.domain.timestamps import MICROS_PER_SECOND, to_rfc3339

_TIME_FIELDS = {"starts_at", "ends_at", "freeze_at", "at"}


def definition_changes(old: HuntDefinition, new: HuntDefinition) -> list[str]:
    changes: list[str] = []
    header_old = _plain(msgspec.structs.replace(old, clues=()))
    header_new = _plain(msgspec.structs.replace(new, clues=()))
    changes.extend(f"hunt {line}" for line in _differences(header_old, header_new, ""))
    old_clues = {clue.id: clue for clue in old.clues}
    new_clues = {clue.id: clue for clue in new.clues}
    for clue in new.clues:
        before = old_clues.get(clue.id)
        if before is None:
            changes.append(f"clue {clue.id} added")
            continue
        changes.extend(
            f"clue {clue.id} {line}" for line in _differences(_plain(before), _plain(clue), "")
        )
    changes.extend(f"clue {clue.id} removed" for clue in old.clues if clue.id not in new_clues)
    old_order = [c.id for c in old.clues if c.id in new_clues]
    new_order = [c.id for c in new.clues if c.id in old_clues]
    if old_order != new_order:
        changes.append("clue order changed")
    return changes


def _plain(value: HuntDefinition | Clue) -> dict[str, Any]:
    plain: dict[str, Any] = msgspec.to_builtins(value)
    plain.pop("clues", None)
    return plain


def _differences(a: Any, b: Any, path: str) -> list[str]:
    if a == b:
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        lines: list[str] = []
        for key in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{key}" if path else key
            if key not in b:
                lines.append(f"{sub} removed (was {_show(key, a[key])})")
            elif key not in a:
                lines.append(f"{sub} set to {_show(key, b[key])}")
            else:
                lines.extend(_differences(a[key], b[key], sub))
        return lines
    if _is_list_of_scalars(a) and _is_list_of_scalars(b):
        added = [x for x in b if x not in a]
        removed = [x for x in a if x not in b]
        parts = [f"+ {_show('', x)}" for x in added] + [f"- {_show('', x)}" for x in removed]
        return [f"{path}: {', '.join(parts)}" if parts else f"{path}: reordered"]
    key = path.rsplit(".", 1)[-1]
    return [f"{path}: {_show(key, a)} -> {_show(key, b)}"]


def _is_list_of_scalars(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(not isinstance(x, dict | list) for x in value)


def _show(key: str, value: Any) -> str:
    if key in _TIME_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return to_rfc3339(value)
    if key == "after" and isinstance(value, int) and not isinstance(value, bool):
        return f"{value // MICROS_PER_SECOND}s after the start"
    if isinstance(value, str):
        return repr(value)
    return msgspec.json.encode(value).decode()
