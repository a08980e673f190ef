"""The widgets in Simplified Chinese: the catalogue, the language setting, every widget's
words, and Chinese text in the pictures (fonts) and in the graph (Graphviz).

The catalogue checks read the code: every `_("...")` in widgets/ must be a plain string
(so that these tests can find it), have a translation in widgets/locale/zh/widgets.po
with the same `{fields}`, and every entry there must still be used.
"""

import ast
import json
import re
import shutil
import string
import subprocess
import warnings
from pathlib import Path

import polib
import pytest

import minitensor as mt
from widgets.common import fonts
from widgets.common.language import LANGUAGES, get_language, set_language
from widgets.common.translation import CATALOGUE_PATH

REPO = Path(__file__).resolve().parent.parent
WIDGETS = REPO / "widgets"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def language(monkeypatch, tmp_path):
    """No language from outside (environment, a folder named zh), and none left behind."""
    monkeypatch.delenv("MINITENSOR_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    set_language(None)
    yield
    set_language(None)


# ----------------------------------------------------------------------------- the catalogue


def texts_in_code():
    """({English text: [where, ...]}, [calls of _ whose text is not a plain string])."""
    found, not_literal = {}, []
    for path in sorted(WIDGETS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_"):
                continue
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, []).append(where)
            else:
                not_literal.append(where)
    return found, not_literal


def catalogue():
    return polib.pofile(str(CATALOGUE_PATH))


def fields(text):
    """The `{name:spec}` fields of a str.format text, sorted."""
    return sorted(
        f"{name}:{spec}" for _text, name, spec, _conv in string.Formatter().parse(text)
        if name is not None
    )  # fmt: skip


def test_every_widget_text_is_a_plain_string_so_it_can_be_found():
    found, not_literal = texts_in_code()
    assert not_literal == [], "use _('text {field}', field=...), not an f-string or a variable"
    assert len(found) > 150  # the walk found the widgets' texts at all


def test_every_widget_text_has_a_chinese_translation():
    found, _ = texts_in_code()
    entries = {entry.msgid: entry for entry in catalogue() if not entry.obsolete}
    missing = {text: where for text, where in found.items() if text not in entries}
    untranslated = [text for text in found if text in entries and not entries[text].msgstr]
    fuzzy = [text for text in found if text in entries and "fuzzy" in entries[text].flags]
    update = "run `python tools/update_widgets_catalogue.py`, then translate the new entries"
    assert missing == {}, update
    assert untranslated == [], "translate these in widgets/locale/zh/widgets.po"
    assert fuzzy == []


def test_catalogue_has_no_entry_the_code_no_longer_uses():
    found, _ = texts_in_code()
    stale = [entry.msgid for entry in catalogue() if entry.msgid not in found]
    assert stale == [], "run `python tools/update_widgets_catalogue.py` to remove them"


def test_translations_keep_the_fields_of_the_english_text():
    different = {
        entry.msgid: entry.msgstr
        for entry in catalogue()
        if fields(entry.msgid) != fields(entry.msgstr)
    }
    assert different == {}


def test_the_catalogue_uses_the_course_terms():
    words = " ".join(entry.msgstr for entry in catalogue())
    for term in ("张量", "计算图", "叶子节点", "梯度", "反向传播", "动量", "学习率", "偏差修正",
                 "权重衰减", "损失", "参数", "节点", "曲面"):  # fmt: skip
        assert term in words, term
    for other in ("叶节点", "叶子结点", "结点", "后向传播", "冲量", "步长率"):
        assert other not in words, other


def test_no_function_rebinds_the_translation_function():
    """`for _ in ...` in a function that also calls _("...") would call an int."""

    def rebinds(function):
        stores = [
            node for node in ast.walk(function)
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
        ]  # fmt: skip
        inner = [
            node for node in ast.walk(function)
            if isinstance(node, (ast.Lambda, ast.comprehension, ast.ListComp, ast.SetComp,
                                 ast.DictComp, ast.GeneratorExp))
        ]  # fmt: skip
        inside_inner = {id(n) for scope in inner for n in ast.walk(scope)}
        return any(id(store) not in inside_inner for store in stores)

    bad = []
    for path in sorted(WIDGETS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and rebinds(node):
                bad.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name}")
    assert bad == []


# ----------------------------------------------------------------------------- the language


def test_language_is_english_without_any_setting():
    assert get_language() == "en"


def test_language_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MINITENSOR_LANG", "zh")
    assert get_language() == "zh"


def test_language_is_chinese_for_a_notebook_in_a_folder_named_zh(monkeypatch, tmp_path):
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "lessons" / "zh" / "01.ipynb"))
    assert get_language() == "zh"
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "lessons" / "01.ipynb"))
    assert get_language() == "en"


def test_a_chinese_notebook_speaks_chinese_wherever_it_is_copied(monkeypatch, tmp_path):
    import json

    def notebook(name, language):
        path = tmp_path / "home" / name
        path.parent.mkdir(exist_ok=True)
        lesson = {"name": "01_tensors"} | ({"language": language} if language else {})
        path.write_text(json.dumps({"metadata": {"lesson": lesson}, "cells": []}))
        return path

    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook("mine.ipynb", "zh")))
    assert get_language() == "zh"  # from its metadata, in a folder not named zh
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook("english.ipynb", None)))
    assert get_language() == "en"
    monkeypatch.setenv("JPY_SESSION_NAME", str(notebook("odd.ipynb", "fr")))
    assert get_language() == "en"  # not a course language: the other clues decide
    broken = tmp_path / "home" / "broken.ipynb"
    broken.write_text("{not json")
    monkeypatch.setenv("JPY_SESSION_NAME", str(broken))
    assert get_language() == "en"
    # a server that names the notebook relative to its root: the kernel runs in its folder
    monkeypatch.chdir(tmp_path / "home")
    monkeypatch.setenv("JPY_SESSION_NAME", "home/mine.ipynb")
    assert get_language() == "zh"


def test_language_is_chinese_for_a_kernel_started_in_a_folder_named_zh(monkeypatch, tmp_path):
    (tmp_path / "zh").mkdir()
    monkeypatch.chdir(tmp_path / "zh")
    assert get_language() == "zh"


def test_set_language_wins_over_the_environment_and_none_goes_back(monkeypatch):
    monkeypatch.setenv("MINITENSOR_LANG", "zh")
    set_language("en")
    assert get_language() == "en"
    set_language(None)
    assert get_language() == "zh"


def test_an_unknown_language_names_the_value_and_the_choices(monkeypatch):
    with pytest.raises(ValueError, match=r"'fr'.*'en'.*'zh'"):
        set_language("fr")
    monkeypatch.setenv("MINITENSOR_LANG", "de")
    with pytest.raises(ValueError, match=r"'de'.*MINITENSOR_LANG.*'en'.*'zh'"):
        get_language()
    assert set(LANGUAGES) == {"en", "zh"}


# ----------------------------------------------------------------------------- the widgets


def widget_texts(widget):
    """Every text a learner reads on a widget tree: descriptions, tooltips, options, values."""
    texts, stack = [], [widget]
    while stack:
        w = stack.pop()
        for name in ("description", "tooltip", "value", "placeholder"):
            value = getattr(w, name, None)
            if isinstance(value, str) and name in w.keys:
                texts.append(value)
        texts.extend(getattr(w, "_options_labels", ()))
        stack.extend(getattr(w, "children", ()))
    return texts


def made_graph():
    from widgets import GraphView

    a = mt.tensor(2.0, requires_grad=True)
    b = mt.tensor([1.0, 2.0])
    loss = (a * b).sum()
    view = GraphView(loss, names={"a": a, "b": b})
    loss.backward()
    return view.refresh()


def made_stepper():
    from widgets import BackwardStepper

    a = mt.tensor(2.0, requires_grad=True)
    stepper = BackwardStepper((a + a) * a, names={"a": a})
    stepper.next()
    return stepper


def made_race():
    from widgets import race

    return race("quadratic", optimizers=("SGD", "Adam"), steps=20)


def made_monitor():
    from widgets import TrainingMonitor

    monitor = TrainingMonitor(total=4, every=2, metric="accuracy", display=False, min_interval=0)
    for step in range(4):
        monitor.update(1.0 / (step + 1), metric=step / 4)
    monitor.validate(0.4)
    return monitor


def made_map():
    from widgets.momentum_rates.model import MomentumMapModel
    from widgets.momentum_rates.view import MomentumMap

    return MomentumMap(MomentumMapModel(lrs=[0.05, 0.23], betas=[0.0, 0.9], steps=20),
                       race_steps=10)  # fmt: skip


# What each widget must show in Chinese, and the same places in English.
WIDGETS_TO_BUILD = {
    "graph": (made_graph, ["刷新", "按张量现在的状态重新绘制"], ["Refresh"]),
    "stepper": (
        made_stepper,
        ["重置", "上一步", "下一步", "应用", "步", "第 1 步，共", "上游梯度"],
        ["Reset", "Prev", "Next", "Apply", "Step 1 of", "upstream gradient"],
    ),
    "race": (
        made_race,
        [
            "优化器",
            "动量的三种写法",
            "Adam 偏差修正",
            "曲面",
            "最佳设置",
            "学习率 SGD",
            "设置",
            "之后的状态",
            "每次运行都从",
            "二次函数",
        ],
        [
            "optimizers",
            "momentum conventions",
            "best settings",
            "lr SGD",
            "Settings",
            "Every run starts at",
        ],
    ),  # fmt: skip
    "monitor": (made_monitor, ["进度", "第 4/4 步", "损失", "验证损失"], ["progress", "step 4/4"]),
    "momentum map": (made_map, ["收敛率", "格发散", "点击让它参加比赛"], ["Convergence rate"]),
}


@pytest.mark.parametrize("name", WIDGETS_TO_BUILD)
def test_widget_made_in_chinese_shows_chinese_and_in_english_english(name):
    build, chinese, english = WIDGETS_TO_BUILD[name]
    set_language("zh")
    text = "\n".join(widget_texts(build()))
    assert [words for words in chinese if words not in text] == []
    set_language("en")
    text = "\n".join(widget_texts(build()))
    assert [words for words in english if words not in text] == []
    assert CJK.findall(text) == []  # nothing Chinese left in English


@pytest.mark.parametrize("name", WIDGETS_TO_BUILD)
def test_no_english_text_is_left_where_a_translation_exists(name):
    set_language("zh")
    translated = {entry.msgid for entry in catalogue() if entry.msgstr != entry.msgid}
    controls = widget_texts(WIDGETS_TO_BUILD[name][0]())
    assert [text for text in controls if text in translated] == []


def test_language_is_looked_up_when_a_widget_is_made_not_at_import():
    from widgets.stepper.view import BackwardStepper

    a = mt.tensor(1.0, requires_grad=True)
    assert BackwardStepper(a * a).next_button.description == "Next"
    set_language("zh")
    assert BackwardStepper(a * a).next_button.description == "下一步"


def test_models_speak_chinese_too():
    from widgets import MonitorModel, RaceModel
    from widgets.common.numbers import summarize
    from widgets.stepper.model import BackwardStepperModel

    set_language("zh")
    a = mt.tensor(3.0, requires_grad=True)
    stepper = BackwardStepperModel(a * a, names={"a": a})
    assert stepper.chain_rule_text().startswith("开始（第 0 步，共 2 步）")
    stepper.next()
    assert "上游 1 × 局部 3 = 3" in stepper.chain_rule_text()
    model = RaceModel("rosenbrock", compare="bias_correction", steps=5)
    assert "Rosenbrock 函数" in model.caption() and "没有偏差修正的 Adam" in model.caption()
    monitor = MonitorModel(total=10)
    assert monitor.summary() == "等待第一次更新"
    assert summarize(list(range(10))) == "最小 0  平均 4.5  最大 9"


def test_built_in_surfaces_words_in_english_are_the_surfaces_own():
    from widgets.optimizer_race.surfaces import SURFACES

    for surface in SURFACES.values():
        assert surface.words() == (surface.name, surface.formula, surface.description)


# ----------------------------------------------------------------------------- pictures


def draw_every_picture():
    """Draw the race, the monitor and the momentum map; return the race widget."""
    from widgets.momentum_rates.view import draw_map

    race = made_race()
    race.picture.draw(race.model, 5, log_scale=False)
    race.model.set(compare="momentum", surface="wells")
    race.refresh()
    made_monitor()
    draw_map(made_map().model)
    return race


def needs_a_chinese_font():
    if fonts.cjk_font() is None:
        pytest.skip(f"no Chinese font installed: {fonts.install_hint()}")


def test_chinese_pictures_have_no_missing_glyphs():
    needs_a_chinese_font()
    set_language("zh")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s) DejaVu Sans" raises
        race = draw_every_picture()
    assert race.picture.loss_axes.get_title(loc="left") == "损失随步数的变化"
    from matplotlib import font_manager

    with fonts.picture_text():  # the font the pictures' text is drawn with
        path = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
    assert "DejaVu" not in str(path)


def test_chinese_font_is_only_used_inside_the_widgets_pictures():
    import matplotlib as mpl

    needs_a_chinese_font()
    set_language("zh")
    before = list(mpl.rcParams["font.sans-serif"])
    draw_every_picture()
    assert mpl.rcParams["font.sans-serif"] == before


def test_without_a_chinese_font_pictures_are_english_and_one_warning_says_what_to_install(
    monkeypatch,
):
    monkeypatch.setattr(fonts, "installed_fonts", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(fonts, "_add_fonts_installed_since_the_cache", lambda: None)
    monkeypatch.setattr(fonts, "_found", {})
    monkeypatch.setattr(fonts, "_warned", False)
    set_language("zh")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        race = draw_every_picture()
        draw_every_picture()
    messages = [str(w.message) for w in caught]
    hints = [m for m in messages if "sudo apt-get install fonts-noto-cjk" in m]
    assert len(hints) == 1 and "conda install -c conda-forge font-ttf-noto-cjk" in hints[0]
    assert [m for m in messages if "missing from font" in m] == []
    assert race.picture.loss_axes.get_title(loc="left") == "loss against step"
    assert "每次运行都从" in race.caption_box.value  # the rest of the widget stays Chinese


# ----------------------------------------------------------------------------- the graph


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_draws_chinese_labels_without_warnings_at_a_sane_width():
    from widgets.graph import render

    def svg_width(language):
        set_language(language)
        graph = made_graph().graph
        finished = subprocess.run(
            ["dot", "-Tsvg"], input=render.to_dot(graph).encode(), capture_output=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert finished.returncode == 0 and finished.stderr == b"", finished.stderr
        svg = finished.stdout.decode()
        return float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1)), svg

    english, _ = svg_width("en")
    chinese, svg = svg_width("zh")
    assert "图例" in svg and "叶子节点" in svg and "Noto Sans CJK SC" in svg
    assert 0.5 * english < chinese < 1.5 * english


# ----------------------------------------------------------------------------- the demo


def code_cells(path):
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    return [("".join(c["source"])) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_chinese_widget_demo_has_the_english_demos_code():
    english = REPO / "lessons" / "00_widgets_demo.ipynb"
    chinese = REPO / "lessons" / "zh" / "00_widgets_demo.ipynb"
    assert code_cells(chinese) == code_cells(english)
    notebook = json.loads(chinese.read_text(encoding="utf-8"))
    assert notebook["metadata"]["lesson"] == {"name": "00_widgets_demo", "language": "zh"}
    markdown = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert all(CJK.search("".join(c["source"])) for c in markdown)
