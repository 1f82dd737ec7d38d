"""The demo's city hunt: every clue kind, hints, dynamic scoring and a freeze,
timed around the moment the demo starts."""

from datetime import UTC, datetime, timedelta

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
