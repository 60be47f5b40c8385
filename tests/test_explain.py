"""`formkit explain` on every sample matches expectations computed by hand from the policy.

Each row was worked out on paper from the sample record: whole 周年 of the agreement
(第十三条), the HR department of the home unit's level (第四、五条), the service county's HR
department (第六、九条), each payment period's status and declaration year (第十、十一、十三条),
as of 2026-11-30.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from formkit.cli import main
from formkit.explain import explain_data
from formkit.facts import derive
from formkit.load import load_case

CASES = Path(__file__).resolve().parents[1] / "data" / "cases"
AS_OF = date(2026, 11, 30)
PROVINCE = "云南省人力资源和社会保障厅"

# file: (whole years, filing department, service county department,
#        [(status, amount, declaration year)], total, total in upper case)
EXPECTED = {
    "li-mingzhe": (2, PROVINCE, "禄劝彝族苗族自治县人力资源和社会保障局",
                   [("payable", 20000, 2016)], 20000, "人民币贰万元整"),
    "zhou-guodong": (2, "曲靖市人力资源和社会保障局", "会泽县人力资源和社会保障局",
                     [("payable", 20000, 2018)], 20000, "人民币贰万元整"),
    "pu-lifen": (3, "建水县人力资源和社会保障局", "建水县人力资源和社会保障局",
                 [("payable", 20000, 2021), ("payable", 10000, 2022)], 30000, "人民币叁万元整"),
    "bai-zhongrong": (4, "墨江哈尼族自治县人力资源和社会保障局", "墨江哈尼族自治县人力资源和社会保障局",
                      [("payable", 20000, 2020), ("failed", 10000, None), ("payable", 10000, 2022)],
                      30000, "人民币叁万元整"),
    "duan-xuemei": (2, "大理白族自治州人力资源和社会保障局", "洱源县人力资源和社会保障局",
                    [("payable", 20000, 2023)], 20000, "人民币贰万元整"),
    "wang-yan": (3, PROVINCE, "丘北县人力资源和社会保障局",
                 [("payable", 20000, 2023), ("payable", 10000, 2024)], 30000, "人民币叁万元整"),
    "luo-zhiyong": (3, "楚雄彝族自治州人力资源和社会保障局", "双柏县人力资源和社会保障局",
                    [("payable", 20000, 2026), ("not-yet-due", 10000, None)], 20000, "人民币贰万元整"),
    "ma-jun": (2, "寻甸回族彝族自治县人力资源和社会保障局", "寻甸回族彝族自治县人力资源和社会保障局",
               [("payable", 20000, 2022)], 20000, "人民币贰万元整"),
    "he-xiaoyan": (4, "保山市人力资源和社会保障局", "腾冲市人力资源和社会保障局",
                   [("payable", 20000, 2021), ("payable", 10000, 2022), ("payable", 10000, 2023)],
                   40000, "人民币肆万元整"),
    "feng-chunlan": (2, "临沧市人力资源和社会保障局", "耿马傣族佤族自治县人力资源和社会保障局",
                     [("payable", 20000, 2019)], 20000, "人民币贰万元整"),
}


def test_every_sample_has_an_expectation() -> None:
    assert {p.stem for p in CASES.glob("*.yaml")} == set(EXPECTED)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_explain_matches_the_hand_computation(stem: str) -> None:
    years, filing, service, items, total, upper = EXPECTED[stem]
    case = load_case(CASES / f"{stem}.yaml").record
    assert case is not None
    data = explain_data(case, derive(case, AS_OF))
    assert data["eligible"] is True, data["reasons"]
    assert data["whole_years"] == years
    assert data["filing_department"] == filing
    assert data["service_department"] == service
    got = [(i["status"], Decimal(i["amount"]), i["declaration_year"]) for i in data["subsidy"]]
    assert got == [(s, Decimal(a), y) for s, a, y in items]
    assert Decimal(data["total_payable"]) == total
    assert data["total_payable_upper"] == upper
    assert len(data["appraisals"]) == years - 1  # 第九条: the 2-year term, then each further year


def test_explain_cli_cites_articles_and_masks_ids() -> None:
    result = CliRunner().invoke(main, ["explain", str(CASES / "bai-zhongrong.yaml"), "--as-of", "2026-11-30"])
    assert result.exit_code == 0, result.output
    out = result.output
    for article in ("第二条", "第四、五条", "第六、九条", "第十三条", "第九条", "第十条", "第十一条"):
        assert article in out
    assert "合计可核发：30,000.00 元（人民币叁万元整）" in out
    assert "依第十三条不享受该期工作岗位补贴" in out
    case = load_case(CASES / "bai-zhongrong.yaml").record
    assert case.applicant.id_number not in out
    assert case.applicant.id_number[:4] + "**********" + case.applicant.id_number[-4:] in out


def test_explain_reports_ineligibility_with_every_reason(tmp_path: Path) -> None:
    text = (CASES / "ma-jun.yaml").read_text("utf-8")
    text = text.replace("practice_qualification: 执业医师资格", "practice_qualification: 执业助理医师资格")
    text = text.replace("level: 县(市、区)属", "level: 乡(镇)属").replace("level: 县属", "level: 乡(镇)属")
    bad = tmp_path / "ma-jun.yaml"
    bad.write_text(text, "utf-8")
    case = load_case(bad).record
    assert case is not None
    data = explain_data(case, derive(case, AS_OF))
    assert data["eligible"] is False
    assert len(data["reasons"]) == 2
    assert any("乡(镇)属" in r and "第二条" in r for r in data["reasons"])
    assert any("执业医师资格" in r for r in data["reasons"])
    # 第二条 before 第十一条: nothing is payable to a person outside the policy
    assert [i["status"] for i in data["subsidy"]] == ["ineligible"]
    assert Decimal(data["total_payable"]) == 0 and data["total_payable_upper"] == "人民币零元整"
    assert "不符合第二条" in data["subsidy"][0]["reason"]
