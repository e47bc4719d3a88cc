"""`kameng quote`: output people read, JSON for machines, one-line errors with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from pricing import DEFAULT_RATES_PATH

R_MEDIUM = ["quote", "--orders", "300", "--categories", "5", "--response", "fast",
            "--scope", "technical"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_quote_in_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *R_MEDIUM)
    assert code == 0 and err == ""
    assert "月费合计：2,600–5,250 元" in out
    assert "技术客服" in out and "快速响应" in out
    assert "按单计费：9,360–18,900 元" in out
    assert "临界单量" in out and "盈亏平衡" not in out
    assert "满意度 ≥ 90%" in out
    assert "<b>" not in out  # the terminal gets text, not Telegram HTML


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh-TW", "月費合計：2,600–5,250 元"), ("en", "Monthly total: ¥2,600–5,250")],
)
def test_speaks_the_chosen_language(
    capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    code, out, _ = run(capsys, *R_MEDIUM, "--lang", lang)
    assert code == 0 and expected in out


def test_json_has_the_documented_fields_with_money_as_decimal_strings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, *R_MEDIUM, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["monthly"] == {"low": "2600", "high": "5250"}
    assert data["alternatives"]["per_order"] == {"low": "9360", "high": "18900"}
    assert set(data["alternatives"]["per_hour"]) == {"low", "high"}
    assert data["break_even_daily_orders"] == {"low": "84", "high": "84"}
    assert [item["code"] for item in data["line_items"]] == ["staffing", "response"]
    assert all({"code", "low", "high", "source"} <= set(item) for item in data["line_items"])
    assert all(isinstance(item["low"], str) for item in data["line_items"])
    assert "plan_recommended" in data["recommendations"]
    assert isinstance(data["warnings"], list)
    assert "scope.technical.orders_per_unit" in data["assumptions"]
    assert data["rates_version"].startswith("2026.11-2+")


def test_every_option_reaches_the_core(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "quote", "--orders", "120", "--categories", "12", "--response", "emergency",
        "--scope", "auto", "--tooling", "bundle", "--ai", "auto", "--special", "nft",
        "--cross-border", "--multi-level", "--volume", "seasonal", "--mode", "full-time",
        "--billing", "monthly", "--budget", "3000", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["scope"] == "expert"
    codes = [item["code"] for item in data["line_items"]]
    for expected in ("complexity_categories", "complexity_multi_level",
                     "complexity_cross_border", "service_mode", "tooling_bundle"):
        assert expected in codes
    assert "full_time_hidden_costs" in data["warnings"]
    assert data["inquiry"]["volume"] == "seasonal"
    assert data["budget_fit"]["status"] in ("fits_with_changes", "fits_low_with_changes",
                                            "does_not_fit")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--orders", "-5"], "日均单量须为 1 到 1000000 之间的整数，收到：-5"),
        (["--orders", "abc"], "日均单量须为 1 到 1000000 之间的整数，收到：abc"),
        (["--orders", "3.7"], "收到：3.7"),
        (["--orders", "0"], "收到：0"),
        (["--orders", "300", "--response", "slow"], "--response 的取值无效：slow"),
        (["--orders", "300", "--scope", "vip"], "--scope 的取值无效：vip"),
        (["--orders", "300", "--budget", "abc"], "预算须为大于 0 的金额（元），收到：abc"),
        (["--orders", "300", "--budget", "-1"], "收到：-1"),
        (["--orders", "300", "--categories", "zero"], "商品类目数须为"),
        (["--orders", "300", "--special", "gold"], "--kinds 的取值无效：gold"),
        (["--orders", "300", "--kinds", "game,gold"], "--kinds 的取值无效：gold"),
        (["--orders", "300", "--frobnicate"], "命令行参数有误"),
    ],
)
def test_bad_input_gets_one_localized_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = run(capsys, "quote", *args)
    assert code == 2 and out == ""
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_bad_input_speaks_english_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "quote", "--orders", "abc", "--lang", "en")
    assert code == 2 and "daily orders must be a whole number" in err


def test_an_unknown_language_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *R_MEDIUM, "--lang", "fr")
    assert code == 2 and "--lang" in err


def test_an_operator_rates_file_is_used_from_the_option_and_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    custom = tmp_path / "rates.toml"
    custom.write_text(DEFAULT_RATES_PATH.read_text(encoding="utf-8").replace(
        'band = ["2000", "3500"]', 'band = ["2000", "4000"]'), encoding="utf-8")
    code, out, _ = run(capsys, *R_MEDIUM, "--json", "--rates", str(custom))
    assert code == 0 and json.loads(out)["monthly"]["high"] == "6000"
    monkeypatch.setenv("KAMENG_RATES", str(custom))
    code, out, _ = run(capsys, *R_MEDIUM, "--json")
    assert json.loads(out)["monthly"]["high"] == "6000"


def test_a_broken_rates_file_is_one_line_naming_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    custom = tmp_path / "rates.toml"
    custom.write_text(DEFAULT_RATES_PATH.read_text(encoding="utf-8").replace(
        'band = ["2000", "3500"]', 'band = ["3500", "2000"]'), encoding="utf-8")
    code, _, err = run(capsys, *R_MEDIUM, "--rates", str(custom))
    assert code == 2
    assert "费率文件有误" in err and "scope.technical.band" in err
    assert err.count("\n") == 1


@pytest.mark.e2e
def test_the_installed_console_script_exits_2_without_a_traceback() -> None:
    kameng = Path(sys.executable).with_name("kameng")
    result = subprocess.run([str(kameng), "quote", "--orders", "many"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("kinds", "scope"),
    [("topup", "basic"), ("game", "technical"), ("software,topup", "technical"),
     ("nft", "expert"), ("video,other", "basic"), ("phone-topup", "basic")],
)
def test_kinds_drive_the_recommended_scope_like_the_dialogue(
    capsys: pytest.CaptureFixture[str], kinds: str, scope: str
) -> None:
    code, out, _ = run(capsys, "quote", "--orders", "50", "--kinds", kinds, "--json")
    assert code == 0 and json.loads(out)["scope"] == scope


def test_special_stays_an_alias_of_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "quote", "--orders", "50", "--special", "nft", "--json")
    assert code == 0 and json.loads(out)["inquiry"]["product_kinds"] == ["blockchain_nft"]


def test_json_money_is_rounded_like_the_text(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "quote", "--orders", "300", "--ai", "no", "--json")
    data = json.loads(out)
    [consider] = [n for n in data["notices"]["recommendations"] if n["code"] == "consider_ai"]
    assert consider["params"] == {"saving_low": "700", "saving_high": "1260"}
