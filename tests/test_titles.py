"""Spec §4.6: title names → levels, exact names only, ambiguous names need title_level."""

import pytest

from formkit.errors import InvalidValue
from formkit.reference.titles import TITLE_LEVELS, level_rank, normalize_level, resolve_title, title_catalogue


def test_levels_are_ordered():
    assert TITLE_LEVELS == ("员级", "助理级", "中级", "副高级", "正高级")
    assert [level_rank(level) for level in TITLE_LEVELS] == [0, 1, 2, 3, 4]
    assert level_rank("副高") == level_rank("副高级") > level_rank("中级")


@pytest.mark.parametrize(
    "raw, level", [("中级", "中级"), (" 副高级 ", "副高级"), ("副高", "副高级"), ("正高", "正高级")]
)
def test_normalize_level(raw, level):
    assert normalize_level(raw) == level


@pytest.mark.parametrize("raw", ["初级", "高级", "中", "", "senior"])
def test_invalid_levels(raw):
    with pytest.raises(InvalidValue) as exc:
        level_rank(raw)
    assert str(exc.value) == f"职称等级「{raw}」无效，应为以下之一：员级、助理级、中级、副高级、正高级"


@pytest.mark.parametrize(
    "name, level",
    [
        # spec §4.6 examples
        ("工程师", "中级"), ("讲师", "中级"), ("主治医师", "中级"), ("主管护师", "中级"),
        ("主管药师", "中级"), ("农艺师", "中级"), ("畜牧师", "中级"), ("兽医师", "中级"),
        ("会计师", "中级"), ("经济师", "中级"), ("馆员", "中级"), ("一级教师", "中级"),
        ("高级工程师", "副高级"), ("副教授", "副高级"), ("副主任医师", "副高级"),
        ("高级教师", "副高级"), ("高级讲师", "副高级"),
        ("正高级工程师", "正高级"), ("教授", "正高级"), ("研究员", "正高级"), ("主任医师", "正高级"),
        # names where a substring would mislead
        ("助理研究员", "中级"), ("研究实习员", "助理级"), ("小学高级教师", "中级"),
        ("小学一级教师", "助理级"), ("中学高级教师", "副高级"), ("中学一级教师", "中级"),
        ("一级律师", "正高级"), ("一级教练", "中级"), ("主任记者", "副高级"),
        ("农业技术推广研究员", "正高级"), ("研究馆员", "正高级"), ("副研究馆员", "副高级"),
        # the lower levels
        ("技术员", "员级"), ("医士", "员级"), ("护士", "员级"), ("会计员", "员级"),
        ("三级教师", "员级"), ("助理工程师", "助理级"), ("医师", "助理级"), ("护师", "助理级"),
        ("药师", "助理级"), ("助教", "助理级"), ("二级教师", "助理级"), ("助理农艺师", "助理级"),
        ("主管技师", "中级"), ("副主任护师", "副高级"), ("主任药师", "正高级"),
        ("正高级教师", "正高级"), ("正高级会计师", "正高级"), ("高级农艺师", "副高级"),
        (" 工 程 师 ", "中级"),
    ],
)
def test_known_titles(name, level):
    assert resolve_title(name, None) == level
    assert resolve_title(name, level) == level


def test_known_title_with_short_level_form():
    assert resolve_title("高级工程师", "副高") == "副高级"


@pytest.mark.parametrize(
    "name, level, message",
    [
        ("工程师", "副高级", "职称「工程师」是中级，与 title_level 写的副高级不符"),
        ("小学高级教师", "副高级", "职称「小学高级教师」是中级，与 title_level 写的副高级不符"),
        ("助理研究员", "助理级", "职称「助理研究员」是中级，与 title_level 写的助理级不符"),
    ],
)
def test_contradicting_level(name, level, message):
    with pytest.raises(InvalidValue) as exc:
        resolve_title(name, level)
    assert str(exc.value) == message


def test_ambiguous_name_needs_a_level():
    with pytest.raises(InvalidValue) as exc:
        resolve_title("技师", None)
    message = str(exc.value)
    assert message.startswith("职称名称「技师」有歧义（可能是助理级：")
    assert message.endswith("），请在 title_level 中写明等级")
    assert resolve_title("技师", "助理级") == "助理级"
    with pytest.raises(InvalidValue, match="职称「技师」的等级只能是助理级，不是中级"):
        resolve_title("技师", "中级")


@pytest.mark.parametrize(
    "name, level, result", [("初级", "员级", "员级"), ("初级", "助理级", "助理级"), ("高级", "正高", "正高级")]
)
def test_level_words_as_names(name, level, result):
    with pytest.raises(InvalidValue, match=f"职称名称「{name}」有歧义"):
        resolve_title(name, None)
    assert resolve_title(name, level) == result


def test_unknown_name():
    with pytest.raises(InvalidValue) as exc:
        resolve_title("高级园艺设计师", None)
    assert str(exc.value) == (
        "职称名称「高级园艺设计师」不在职称名称表中，请核对名称，或在 title_level 中写明等级"
        "（员级、助理级、中级、副高级、正高级）"
    )
    assert resolve_title("高级园艺设计师", "副高级") == "副高级"
    # near misses of known names are unknown, not guessed
    with pytest.raises(InvalidValue, match="不在职称名称表中"):
        resolve_title("高级工程师（电气）", None)
    with pytest.raises(InvalidValue, match="不在职称名称表中"):
        resolve_title("工程", None)


@pytest.mark.parametrize("name", ["执业医师", "执业药师", "高级技师"])
def test_not_titles(name):
    with pytest.raises(InvalidValue, match=f"「{name}」不是职称"):
        resolve_title(name, None)
    with pytest.raises(InvalidValue, match=f"「{name}」不是职称"):
        resolve_title(name, "中级")


def test_invalid_explicit_level_is_reported_even_for_known_names():
    with pytest.raises(InvalidValue, match="职称等级「中等」无效"):
        resolve_title("工程师", "中等")


def test_empty_name():
    with pytest.raises(InvalidValue, match="职称名称为空"):
        resolve_title("  ", "中级")


def test_catalogue_is_realistic_and_read_only():
    catalogue = title_catalogue()
    assert len(catalogue) > 100
    assert set(catalogue.values()) == set(TITLE_LEVELS)
    assert "技师" not in catalogue and "执业医师" not in catalogue
    with pytest.raises(TypeError):
        catalogue["工程师"] = "正高级"  # type: ignore[index]
