"""The supervisor's config: which processes make up a node, how each is checked
and restarted. YAML or TOML (by file suffix), for example:

    status_file: run/status.json
    processes:
      - name: api
        questline: [serve, --db, hunt.db, --port, "8080"]
        health: {http: "http://127.0.0.1:8080/healthz", deadline: 15}
      - name: worker-1
        questline: [worker, --cluster, cluster.toml]
        health: {heartbeat_file: run/worker-1.beat, deadline: 30}
      - name: projector
        questline: [projector, --cluster, cluster.toml]

`questline: [...]` runs this Questline (`python -m questline ...`); `command:
[...]` runs anything else.
"""

import sys
import tomllib
from pathlib import Path

import msgspec
import yaml


class ConfigError(Exception):
    pass


class HealthConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    http: str | None = None  # GET this URL; any 2xx is healthy
    heartbeat_file: str | None = None  # the process touches this file while it is alive
    interval: float = 2.0  # seconds between HTTP checks
    timeout: float = 2.0  # of one HTTP check
    deadline: float = 15.0  # no sign of life for this long: kill and restart
    startup: float = 30.0  # grace after a start before the deadline applies


class RestartConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    backoff: float = 0.5  # first delay; doubles per crash in the window
    max_backoff: float = 30.0
    jitter: float = 0.2  # +- this fraction of the delay, so peers do not restart in step
    crashes: int = 5  # this many crashes ...
    window: float = 60.0  # ... within this many seconds open the circuit
    cooldown: float | None = None  # then try once more after this long (None: stay down)


class ProcessConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str
    command: list[str] | None = None
    questline: list[str] | None = None
    env: dict[str, str] = msgspec.field(default_factory=dict)
    cwd: str | None = None
    health: HealthConfig | None = None
    restart: RestartConfig = msgspec.field(default_factory=RestartConfig)
    grace: float = 10.0  # SIGTERM, then SIGKILL after this many seconds

    def argv(self) -> list[str]:
        if self.command is not None:
            return list(self.command)
        assert self.questline is not None
        return [sys.executable, "-m", "questline", *self.questline]


class RunConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    processes: list[ProcessConfig]
    status_file: str | None = None
    tick: float = 0.1  # how often the supervisor looks at its processes


def status_path(config: RunConfig, config_path: Path) -> Path:
    if config.status_file is None:
        return config_path.with_name(config_path.name + ".status.json")
    path = Path(config.status_file)
    return path if path.is_absolute() else config_path.parent / path


def load_run_config(path: Path) -> RunConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    try:
        raw = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"{path} is not valid {path.suffix or 'YAML'}: {error}") from None
    try:
        config = msgspec.convert(raw, RunConfig)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {error}") from None
    names = [p.name for p in config.processes]
    if not names:
        raise ConfigError(f"{path} lists no processes")
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: process names must be unique, got {names}")
    for process in config.processes:
        if (process.command is None) == (process.questline is None):
            raise ConfigError(f"{path}: process {process.name!r} needs command or questline")
        if process.health and not (process.health.http or process.health.heartbeat_file):
            raise ConfigError(f"{path}: process {process.name!r}: health needs http or a file")
    return config
