"""The demo's hunts: its own city hunt (every clue kind, hints, dynamic scoring and a
freeze) and the example hunts, each timed around the moment the demo starts."""

from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

import yaml

from questline.domain.parse_collector import Collector
from questline.domain.structure_parsing import parse_duration

CITY_HUNT_YAML = """\
hunt:
  id: {hunt_id}
  title: City Lights
  starts_at: {starts_at}
  ends_at: {ends_at}
  freeze_at: {freeze_at}
  team_size: {{max: 5}}
  scoring:
    first_solve_bonus: [50, 25, 10]
  attempts:
    wrong_per_minute: 5

clues:
  - id: town-hall
    title: The Town Hall
    text: What stands on the town hall's roof and tells the wind where to go?
    points: 100
    answer:
      kind: text
      accept: ["weather vane", "weathervane", "wind vane"]
      keep_going: ["vane", "rooster"]
    hints:
      - {{id: look-up, text: Look at the very top of the roof., cost: 10}}

  - id: old-bridge
    title: The Old Bridge
    text: Check in at the middle of the old stone bridge.
    points: {{dynamic: {{initial: 300, minimum: 100, decay: 15, function: linear}}}}
    requires: [town-hall]
    answer: {{kind: geo, lat: 59.9127, lon: 10.7461, radius_m: 40}}

  - id: market-code
    title: Market Stall 12
    text: The fishmonger hides a code under the scales.
    points: 150
    requires: {{any: 1, of: [town-hall, old-bridge]}}
    answer: {{kind: code, codes: ["CL-4471-FISH", "CL-4472-FISH"]}}
    hints:
      - {{id: which-stall, text: It is the stall with the blue awning., cost: 15}}

  - id: statue-selfie
    title: Selfie with the Statue
    text: Take a team photo with the bronze horse.
    points: 200
    max_attempts: 3
    answer: {{kind: photo}}

  - id: museum-riddle
    title: The Museum Riddle
    text: I have keys but open no locks. What am I?
    points: {{dynamic: {{initial: 500, minimum: 100, decay: 12, function: logarithmic}}}}
    requires: [old-bridge, market-code]
    answer:
      kind: text
      accept: ["piano", "a piano"]
      accept_regex: ["(a|the)?(grand|upright)?piano"]
      keep_going: ["keyboard", "instrument"]
    hints:
      - {{id: music, text: It makes music., cost: 25}}
      - {{id: keys, text: Its keys are black and white., cost: 50}}

  - id: harbour-light
    title: The Harbour Light
    text: Check in where the harbour light stands.
    points: 250
    requires: {{any: 2, of: [old-bridge, market-code, statue-selfie]}}
    answer: {{kind: geo, lat: 59.9081, lon: 10.7448, radius_m: 25}}
"""


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def city_hunt_yaml(
    now: datetime | None = None,
    *,
    hunt_id: str = "city-lights",
    freeze_after: timedelta = timedelta(minutes=30),
    length: timedelta = timedelta(hours=2),
) -> str:
    """The sample hunt, live from a minute ago, frozen `freeze_after` from now."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    starts = now - timedelta(minutes=1)
    return CITY_HUNT_YAML.format(
        hunt_id=hunt_id,
        starts_at=_stamp(starts),
        ends_at=_stamp(starts + length),
        freeze_at=_stamp(now + freeze_after),
    )


# -- the demo's hunts, timed around now ---------------------------------------------------

SAMPLES = ("city-lights", "harbour-night", "puzzle-night")  # the first is the default


def sample_document(
    name: str,
    now: datetime,
    *,
    round_number: int = 1,
    length: timedelta = timedelta(minutes=10),
    freeze_after: timedelta | None = timedelta(minutes=30),
) -> tuple[dict[str, Any], float]:
    """A sample hunt as a document, its whole timeline (start, end, clues and rounds
    opening on the clock) compressed into `length` from a tenth of it ago; a later round
    gets its own id and title. Returns the document and the time scale (wall seconds
    per second of the hunt as written), which paces the simulated teams."""
    if name not in SAMPLES:
        raise ValueError(f"no sample hunt {name!r}; there are: {', '.join(SAMPLES)}")
    if name == "city-lights":
        text = city_hunt_yaml(now)
    else:
        text = files("questline").joinpath("examples", f"{name}.yaml").read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    hunt = document["hunt"]
    old_start = _parse(hunt["starts_at"])
    scale = length / (_parse(hunt["ends_at"]) - old_start)
    # Started a tenth of the round ago: the first teams are at work when the pages open.
    start = now.replace(microsecond=0) - length / 10

    def moved(item: dict[str, Any]) -> None:
        if "opens_at" in item:
            item["opens_at"] = _stamp(start + (_parse(item["opens_at"]) - old_start) * scale)
        if "opens_after" in item:
            after = _duration(item.pop("opens_after"))
            item["opens_at"] = _stamp(start + after * scale)

    for item in [*document.get("rounds", []), *document.get("clues", [])]:
        moved(item)
    hunt["starts_at"] = _stamp(start)
    hunt["ends_at"] = _stamp(start + length)
    hunt.pop("freeze_at", None)
    if freeze_after is not None and start + freeze_after < start + length:
        hunt["freeze_at"] = _stamp(start + freeze_after)
    if round_number > 1:
        hunt["id"] = f"{hunt['id']}-{round_number}"
        hunt["title"] = f"{hunt['title']}, round {round_number}"
    return document, scale


def _parse(value: object) -> datetime:
    if isinstance(value, datetime):  # YAML reads an unquoted time as a datetime
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _duration(value: object) -> timedelta:
    micros = parse_duration(Collector(), value, "opens_after")
    if micros is None:
        raise ValueError(f"not a duration: {value!r}")
    return timedelta(microseconds=micros)
