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
    assert "月费合计：3,000–5,010 元" in out
    assert "报价（按月固定）：3,000–5,010 元" in out  # the headline: the plan billed
    assert "值守：每天 8 小时，单班 9:00 至 17:00，约 1 人" in out  # coverage (rule 13)
    assert "自招对比：自己招聘约 2 人" in out  # in-house as a comparison (rule 17)
    assert "技术客服" in out and "快速响应" in out
    assert "按单计费：7,650–12,750 元" in out
    assert "临界单量" in out and "盈亏平衡" not in out
    assert "满意度 ≥ 90%" in out
    assert "<b>" not in out  # the terminal gets text, not Telegram HTML


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh-TW", "月費合計：3,000–5,010 元"), ("en", "Monthly total: CNY 3,000–5,010")],
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
    assert data["monthly"] == {"low": "3000", "high": "5010"}
    assert data["alternatives"]["per_order"] == {"low": "7650", "high": "12750"}
    assert set(data["alternatives"]["per_hour"]) == {"low", "high"}
    assert data["break_even_daily_orders"] == {"low": "118", "high": "118"}
    assert data["crossing"][0] == {"end": "low", "code": "at", "orders": 118}
    assert data["billed"] == {"method": "monthly", "monthly": data["monthly"], "unit": None}
    assert data["coverage"] == {"hours_per_day": 8, "headcount": {"low": "1", "high": "1"},
                                "rotation": "one_shift", "basis": "default"}
    assert set(data["in_house"]) == {"monthly", "headcount"}
    assert data["mix"] == [{"scope": "technical", "share": "1"}]
    assert [item["code"] for item in data["line_items"]] == ["staffing", "response"]
    assert all({"code", "low", "high", "source"} <= set(item) for item in data["line_items"])
    assert all(isinstance(item["low"], str) for item in data["line_items"])
    assert "plan_recommended" in data["recommendations"]
    assert isinstance(data["warnings"], list)
    assert "scope.technical.orders_per_unit" in data["assumptions"]
    assert data["rates_version"].startswith("2026.12-3+")


def test_every_option_reaches_the_core(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "quote", "--orders", "120", "--categories", "12", "--response", "emergency",
        "--scope", "auto", "--tooling", "bundle", "--ai", "auto", "--special", "nft",
        "--cross-border", "--multi-level", "--volume", "seasonal", "--mode", "part-time",
        "--billing", "monthly", "--budget", "3000", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["scope"] == "expert"
    codes = [item["code"] for item in data["line_items"]]
    for expected in ("complexity_categories", "complexity_multi_level",
                     "complexity_cross_border", "service_mode", "tooling_bundle"):
        assert expected in codes
    assert "part_time_instability" in data["warnings"]
    assert data["inquiry"]["volume"] == "seasonal"
    assert data["budget_fit"]["status"] in ("fits_with_changes", "fits_low_with_changes",
                                            "does_not_fit")


def test_full_time_prices_hiring_in_house_not_a_vendor_surcharge(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """Rule 17: --mode full-time is the cost of employing the people, line by line."""
    code, out, _ = run(capsys, *R_MEDIUM, "--mode", "full-time", "--json")
    data = json.loads(out)
    assert code == 0
    assert [item["code"] for item in data["line_items"]] == [
        "in_house_salary", "in_house_oncosts", "in_house_management"]
    assert data["monthly"] == data["in_house"]["monthly"]
    assert "service_mode" not in json.dumps(data)


@pytest.mark.parametrize("hours", ["8", "16", "24"])
def test_hours_of_cover_reach_the_quote(capsys: pytest.CaptureFixture[str], hours: str) -> None:
    code, out, _ = run(capsys, *R_MEDIUM, "--hours", hours, "--json")
    data = json.loads(out)
    assert code == 0 and data["coverage"]["hours_per_day"] == int(hours)
    assert data["inquiry"]["hours"] == int(hours) and data["coverage"]["basis"] == "asked"
    assert int(data["coverage"]["headcount"]["low"]) >= int(hours) // 8


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
        (["--orders", "300", "--hours", "12"], "--hours 的取值无效：12"),
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
        'central = { value = "2860"', 'central = { value = "2900"'), encoding="utf-8")
    code, out, _ = run(capsys, *R_MEDIUM, "--json", "--rates", str(custom))
    assert code == 0 and json.loads(out)["monthly"]["high"] == "5080"  # 2900 × 1.25 × 1.4 = 5,075
    monkeypatch.setenv("KAMENG_RATES", str(custom))
    code, out, _ = run(capsys, *R_MEDIUM, "--json")
    assert json.loads(out)["monthly"]["high"] == "5080"


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
    assert consider["params"] == {"saving_low": "860", "saving_high": "1440"}
