"""The deployment recipes, checked where no Docker engine runs: the Dockerfile against
hadolint-style rules, compose.yaml against what the bot needs, the systemd units with
`systemd-analyze verify` and `security` (skipped, saying why, where systemd is absent),
and the package the image installs (a wheel) for the files the bot reads at run time."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.config import env_keys

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
UNITS = ("kameng.service", "kameng-backup.service", "kameng-backup.timer")


# --- Dockerfile ----------------------------------------------------------------------

@dataclass(frozen=True)
class Instruction:
    line: int
    name: str
    arguments: str


def instructions(path: Path = ROOT / "Dockerfile") -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending = ""
    start = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if not pending:
            start = number
        pending += " " + line.rstrip("\\").strip()
        if not line.endswith("\\"):
            name, _, arguments = pending.strip().partition(" ")
            found.append(Instruction(start, name.upper(), arguments.strip()))
            pending = ""
    assert not pending, "a continuation line ends the file"
    return found


DOCKERFILE = instructions()
FINAL_STAGE = DOCKERFILE[max(i for i, ins in enumerate(DOCKERFILE) if ins.name == "FROM"):]


def of(name: str, stage: list[Instruction] = DOCKERFILE) -> list[Instruction]:
    return [ins for ins in stage if ins.name == name]


def test_dl3006_dl3007_base_images_are_pinned_to_a_tag_not_latest() -> None:
    for ins in of("FROM"):
        image = ins.arguments.split()[0]
        assert ":" in image and not image.endswith(":latest"), ins
        assert "slim" in image, f"a slim base keeps the image small: {ins}"


def test_dl3002_the_image_runs_as_a_non_root_user() -> None:
    users = of("USER", FINAL_STAGE)
    assert users, "no USER in the final stage"
    assert users[-1].arguments.split(":")[0] not in ("root", "0")


def test_dl3025_entrypoint_cmd_and_healthcheck_use_the_json_form() -> None:
    for ins in of("ENTRYPOINT") + of("CMD"):
        assert ins.arguments.startswith("["), ins
    [health] = of("HEALTHCHECK", FINAL_STAGE)
    assert " CMD [" in health.arguments, health


def test_dl3020_copy_not_add_and_every_copied_path_exists() -> None:
    assert of("ADD") == []
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for ins in of("COPY"):
        if "--from=" in ins.arguments:
            continue
        *sources, _ = shlex.split(ins.arguments)
        for source in sources:
            assert (ROOT / source).exists(), ins
            assert source not in ignored, f"{source} is copied but .dockerignore drops it"


def test_dl3042_pip_keeps_no_cache_and_apt_lists_are_cleaned() -> None:
    for ins in of("RUN"):
        if "pip install" in ins.arguments:
            assert "--no-cache-dir" in ins.arguments, ins
        if "apt-get install" in ins.arguments:
            assert "--no-install-recommends" in ins.arguments, ins  # DL3015
            assert "rm -rf /var/lib/apt/lists" in ins.arguments, ins  # DL3009
        if "|" in ins.arguments.replace("||", ""):
            assert "pipefail" in ins.arguments, f"DL4006: {ins}"
        assert not re.search(r"\bsudo\b", ins.arguments), f"DL3004: {ins}"
        assert not re.search(r"(^|&&)\s*cd ", ins.arguments), f"DL3003: use WORKDIR: {ins}"


def test_every_package_the_project_ships_is_copied_into_the_build() -> None:
    copied = {shlex.split(ins.arguments)[0] for ins in of("COPY") if "--from" not in
              ins.arguments}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r'include = \[([^]]*)\]', pyproject)
    assert packages is not None
    for package in re.findall(r'"(\w+)\*"', packages.group(1)):
        assert package in copied, package
    assert {"pyproject.toml"} <= {part for ins in of("COPY")
                                  for part in shlex.split(ins.arguments)}


def test_the_database_lives_on_a_volume_the_user_owns_and_healthz_is_checked() -> None:
    env = " ".join(ins.arguments for ins in of("ENV", FINAL_STAGE))
    assert "KAMENG_DB=/data/kameng.db" in env
    [volume] = of("VOLUME", FINAL_STAGE)
    assert "/data" in volume.arguments
    assert any("chown" in ins.arguments and "/data" in ins.arguments
               for ins in of("RUN", FINAL_STAGE))
    [health] = of("HEALTHCHECK", FINAL_STAGE)
    assert "/healthz" in health.arguments and "METRICS_PORT" in health.arguments
    assert "METRICS_PORT=9090" in env and "WEB_HOST=0.0.0.0" in env
    exposed = {int(port) for ins in of("EXPOSE") for port in ins.arguments.split()}
    assert {8080, 8443, 9090} <= exposed


def test_the_image_environment_uses_only_settings_the_bot_knows() -> None:
    env = " ".join(ins.arguments for ins in of("ENV", FINAL_STAGE))
    names = set(re.findall(r"\b([A-Z][A-Z0-9_]+)=", env))
    unknown = names - set(env_keys()) - {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
    assert unknown == set()


def test_secrets_and_databases_never_enter_the_build_context() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".env", "*.db", ".venv", ".git"} <= ignored


# --- compose.yaml --------------------------------------------------------------------

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
BOT = COMPOSE["services"]["bot"]


def test_compose_runs_the_bot_with_its_data_on_a_named_volume() -> None:
    assert BOT["build"] == "." and BOT["command"] == ["bot"]
    assert BOT["restart"] in ("unless-stopped", "always", "on-failure")
    volume, _, target = BOT["volumes"][0].partition(":")
    assert volume in COMPOSE["volumes"], "a named volume, declared at the top level"
    assert BOT["environment"]["KAMENG_DB"].startswith(target + "/")
    assert BOT["env_file"] == ".env"


def test_compose_publishes_the_page_and_metrics_on_loopback_only() -> None:
    published = {port.split(":")[-1]: port for port in BOT["ports"]}
    assert set(published) == {"8080", "9090"}
    assert all(port.startswith("127.0.0.1:") for port in published.values())
    assert BOT["environment"]["METRICS_PORT"] == "9090"
    assert BOT["environment"]["WEB_HOST"] == "0.0.0.0"  # inside the container's network


def test_compose_keeps_the_container_locked_down() -> None:
    assert BOT["read_only"] is True and "/tmp" in BOT["tmpfs"]
    assert BOT["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in BOT["security_opt"]
    assert not BOT.get("privileged", False)
    assert BOT["stop_grace_period"] in ("30s", "1m")  # time to finish in-flight updates


def test_the_tls_proxy_is_optional_and_forwards_only_the_webhook_and_quote_pages() -> None:
    caddy = COMPOSE["services"]["caddy"]
    assert caddy["profiles"] == ["tls"]
    config = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    forwarded = re.findall(r"handle (\S+) \{\s*reverse_proxy (\S+)", config)
    assert forwarded == [("/telegram/webhook", "bot:8443"), ("/q/*", "bot:8080")]
    assert "/metrics" not in re.sub(r"#.*", "", config)


def test_compose_settings_are_settings_the_bot_knows() -> None:
    assert set(BOT["environment"]) <= set(env_keys())


# --- systemd -------------------------------------------------------------------------

def unit_settings(name: str) -> dict[str, list[str]]:
    """Key → values (a key may repeat) of a unit file."""
    found: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_the_service_is_hardened_and_restarts_on_failure_but_not_on_bad_config() -> None:
    unit = unit_settings("kameng.service")
    expected = {"DynamicUser": "yes", "StateDirectory": "kameng", "ProtectSystem": "strict",
                "Restart": "on-failure", "NoNewPrivileges": "yes", "PrivateTmp": "yes",
                "ProtectHome": "yes", "RestartPreventExitStatus": "2", "KillSignal": "SIGTERM"}
    for key, value in expected.items():
        assert unit.get(key) == [value], key
    assert unit["CapabilityBoundingSet"] == [""]
    assert unit["Environment"][0].startswith("KAMENG_DB=/var/lib/kameng/")
    assert unit["ExecStart"] == ["/opt/kameng/bin/kameng bot"]


def _units_for_this_machine(tmp_path: Path) -> list[Path]:
    """The units with ExecStart on this checkout's kameng (verify wants it to exist) and
    the environment file optional (it lives in /etc/kameng on a server)."""
    kameng = str(Path(sys.executable).with_name("kameng"))
    copies = []
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        text = text.replace("/opt/kameng/bin/kameng", kameng)
        text = text.replace("EnvironmentFile=/", "EnvironmentFile=-/")
        copy = tmp_path / name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is not installed here (apt-get install systemd); the unit's "
           "directives are still checked by test_the_service_is_hardened…")


@pytest.mark.e2e
@needs_systemd
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    copies = _units_for_this_machine(tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", *map(str, copies)],
                            capture_output=True, text=True, timeout=60, check=False,
                            cwd=tmp_path)
    assert result.returncode == 0 and result.stdout + result.stderr == "", result.stderr


@pytest.mark.e2e
@needs_systemd
def test_systemd_rates_the_service_exposure_ok(tmp_path: Path) -> None:
    [service, *_] = _units_for_this_machine(tmp_path)
    result = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(service)],
                            capture_output=True, text=True, timeout=60, check=False,
                            cwd=tmp_path)
    found = re.search(r"Overall exposure level for \S+: ([\d.]+)", result.stdout)
    assert found is not None, result.stdout[-500:] + result.stderr
    print(f"systemd-analyze security: exposure {found.group(1)}")
    assert float(found.group(1)) <= 2.0  # systemd calls ≤ 2 "OK", 10 "UNSAFE"


# --- what the image installs ---------------------------------------------------------

@pytest.mark.e2e
def test_the_installed_package_carries_catalogs_rates_and_templates(tmp_path: Path) -> None:
    """The image runs `pip install .` (not an editable checkout): the wheel must hold
    every file the bot reads at run time."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    [wheel] = tmp_path.glob("kameng_quote-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for locale in ("zh_CN", "zh_TW", "en"):
        assert f"locales/{locale}/LC_MESSAGES/messages.po" in names
    assert "pricing/rates.toml" in names
    assert any(name.startswith("bot/templates/") for name in names)
    assert "bot/metrics.py" in names and "bot/storage/backup.py" in names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_a_dot_env_copied_from_the_example_keeps_the_image_and_unit_defaults() -> None:
    """`docker run --env-file .env` and systemd's EnvironmentFile= override what the image
    and the unit set: the example leaves listening addresses, ports and the database path
    commented out, so a copy of it changes none of them."""
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    set_keys = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert set_keys.isdisjoint({"KAMENG_DB", "WEB_HOST", "WEB_PORT", "WEBHOOK_HOST",
                                "WEBHOOK_PORT", "METRICS_HOST", "METRICS_PORT"})
