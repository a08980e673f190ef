"""The computation-graph widget: what the model draws, how it renders, and the view.

Model tests use no display library; view tests build the ipywidgets without a browser and
drive them through Button.click() / ToggleButton.value. The "no dot" tests empty PATH.
"""

import os
import stat

import pytest
from widget_examples import scalar_expression, two_layer_net

import minitensor as mt
from widgets.common.numbers import summarize
from widgets.graph import render as graph_render
from widgets.graph import view as graph_view
from widgets.graph.model import GraphModel
from widgets.graph.modules import record_modules


def edges_by_title(graph):
    return {(graph.nodes[s].title, graph.nodes[t].title) for s, t, _ in graph.edges}


# --------------------------------------------------------------------------- contents


def test_scalar_graph_has_leaves_ops_and_results_connected_forwards():
    a, b, c, d = scalar_expression()
    graph = GraphModel(d, names={"a": a, "b": b, "c": c, "d": d}).build()
    assert sorted(graph.titles("leaf")) == ["a", "b"]
    assert graph.titles("op") == ["MulBackward0", "AddBackward0"]
    assert graph.titles("tensor") == ["c", "d"]
    assert edges_by_title(graph) == {
        ("a", "MulBackward0"),
        ("b", "MulBackward0"),
        ("MulBackward0", "c"),
        ("c", "AddBackward0"),
        ("a", "AddBackward0"),
        ("AddBackward0", "d"),
    }
    assert [graph.nodes[r].title for r in graph.roots] == ["d"]


def test_op_names_match_pytorch_grad_fn_names():
    torch = pytest.importorskip("torch")

    def build(lib, x_values, w_values):
        x = lib.tensor(x_values)
        w = lib.tensor(w_values, requires_grad=True)
        return ((x @ w).tanh() * 2 - x.sum()).exp().mean()

    def names(node, lib_is_torch):
        found, stack = set(), [node]
        while stack:
            n = stack.pop()
            if n is None:
                continue
            found.add(type(n).__name__ if lib_is_torch else n.name())
            stack.extend(child for child, _ in n.next_functions)
        return found

    x, w = [[1.0, 2.0]], [[0.5], [-0.25]]
    ours = GraphModel(build(mt, x, w)).build()
    theirs = names(build(torch, x, w).grad_fn, True) - {"AccumulateGrad"}
    assert set(ours.titles("op")) == theirs
    assert names(build(mt, x, w).grad_fn, False) - {"AccumulateGrad"} == theirs


def test_tensor_labels_show_shape_dtype_and_values():
    a, b, c, d = scalar_expression()
    graph = GraphModel(d, names={"a": a, "c": c}).build()
    assert graph.find("a").lines[:2] == ["() float32", "value: 2"]
    assert graph.find("c").lines[:2] == ["() float32", "value: -6"]


def test_large_tensors_are_summarised_as_min_mean_max():
    w = mt.arange(12.0).reshape(3, 4).requires_grad_()
    graph = GraphModel((w * 2).sum(), names={"w": w}).build()
    assert graph.find("w").lines[:2] == ["(3, 4) float32", "value: min 0  mean 5.5  max 11"]
    assert summarize([1.0, 2.5]) == "[1, 2.5]"
    assert summarize([True, False, True, True, False, True, False, False]) == "4 of 8 True"


def test_grad_is_none_before_backward_and_the_real_numbers_after():
    a, b, c, d = scalar_expression()
    model = GraphModel(d, names={"a": a, "b": b, "c": c})
    before = model.build()
    assert before.find("a").lines[-1] == "grad: None"
    assert before.find("b").lines[-1] == "grad: None"
    d.backward()
    after = model.build()
    assert after.find("a").lines[-1] == "grad: -2"  # d = a*b + a: b + 1
    assert after.find("b").lines[-1] == "grad: 2"
    assert after.find("c").lines[-1] == "grad: None (non-leaf)"


def test_retain_grad_tensor_shows_its_grad_after_backward():
    a, b, c, d = scalar_expression()
    c.retain_grad()
    model = GraphModel(d, names={"c": c})
    assert model.build().find("c").lines[-1] == "grad: None"
    d.backward()
    assert model.build().find("c").lines[-1] == "grad: 1"


def test_saved_tensors_are_shown_freed_after_backward():
    a, b, c, d = scalar_expression()
    model = GraphModel(d)
    assert model.build().find("MulBackward0").lines == ["saved tensors: kept"]
    d.backward()
    assert model.build().find("MulBackward0").lines == ["saved tensors: FREED"]
    d2 = a * b
    d2.backward(retain_graph=True)
    assert GraphModel(d2).build().find("MulBackward0").lines[0] == "saved tensors: kept"


def test_parameters_are_named_and_drawn_differently_from_leaves():
    net = two_layer_net()
    x = mt.randn(5, 3)
    loss = net(x).pow(2).mean()
    graph = GraphModel(loss, model=net, names={"x": x}).build()
    assert sorted(graph.titles("parameter")) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert graph.titles("leaf") == []
    # a bare nn.Parameter is recognised without names
    p = mt.nn.Parameter(mt.ones(2))
    assert GraphModel((p * 3).sum()).build().titles("parameter") == ["parameter"]


def test_input_without_grad_is_a_dashed_constant_with_its_name_and_numbers():
    x = mt.tensor([1.0, 2.0])
    w = mt.tensor([0.5, -1.0], requires_grad=True)
    y = (x * w).sum()
    model = GraphModel(y, names={"x": x, "w": w})
    constant = model.build().find("x")
    assert constant.kind == "constant"
    assert constant.lines == ["(2,) float32", "value: [1, 2]"]
    y.backward()  # frees the saved array we recognised x by: the name is remembered
    assert model.build().find("x").kind == "constant"


def test_python_number_input_is_drawn_with_its_value():
    a = mt.tensor(2.0, requires_grad=True)
    graph = GraphModel(a * 5).build()
    number = graph.find("number")
    assert number.kind == "constant" and number.lines == ["value: 5"]


def test_tensor_without_graph_is_one_requires_grad_false_node():
    graph = GraphModel(mt.ones(3)).build()
    (node,) = graph.nodes.values()
    assert node.kind == "constant"
    assert node.lines[-1] == "requires_grad=False: no graph recorded"


def test_leaf_root_is_drawn_alone():
    w = mt.ones(2, requires_grad=True)
    graph = GraphModel(w, names={"w": w}).build()
    assert graph.titles() == ["w"] and graph.edges == []


def test_bad_arguments_get_clear_errors():
    with pytest.raises(TypeError, match="expects a minitensor Tensor.*list"):
        GraphModel([1.0, 2.0])
    with pytest.raises(TypeError, match="'w' should name a Tensor"):
        GraphModel(mt.ones(1), params={"w": 3.0})
    with pytest.raises(ValueError, match="collapse must be"):
        GraphModel(mt.ones(1), collapse="sometimes")
    with pytest.raises(TypeError, match="model= expects an nn.Module, got dict"):
        GraphModel(mt.ones(1), model={})


def test_several_outputs_share_one_drawing():
    a = mt.tensor(1.0, requires_grad=True)
    up, down = a * 2, a - 1
    graph = GraphModel([up, down], names={"a": a, "up": up, "down": down}).build()
    assert sorted(graph.nodes[r].title for r in graph.roots) == ["down", "up"]
    assert graph.titles("leaf") == ["a"]


# --------------------------------------------------------------------------- modules, size


def test_recorded_modules_collapse_into_one_node_each_and_expand_on_demand():
    net = two_layer_net()
    x = mt.randn(5, 3)
    with record_modules(net):
        loss = net(x).pow(2).mean()
    model = GraphModel(loss, model=net, names={"x": x}, collapse=True)
    graph = model.build()
    assert sorted(graph.titles("module")) == ["0: Linear", "1: ReLU", "2: Linear"]
    assert graph.titles("op") == ["PowBackward0", "MeanBackward0"]
    assert ("x", "0: Linear") in edges_by_title(graph)  # the input stays outside
    assert ("0: Linear", "1: ReLU") in edges_by_title(graph)
    model.toggle("1")
    expanded = model.build()
    assert "ReluBackward0" in expanded.titles("op")
    assert ("0: Linear", "ReluBackward0") in edges_by_title(expanded)


def test_without_recording_modules_are_guessed_from_parameter_use():
    net = two_layer_net()
    loss = net(mt.randn(5, 3)).pow(2).mean()
    model = GraphModel(loss, model=net)
    graph = model.build()
    ops_in = {}
    for node_id, owner in graph.group_of.items():
        if graph.nodes[node_id].kind == "op":
            ops_in.setdefault(owner, []).append(graph.nodes[node_id].title)
    assert {k: sorted(v) for k, v in ops_in.items()} == {
        "0": ["AddmmBackward0", "TBackward0"],  # PyTorch's nodes for a Linear on a batch
        "2": ["AddmmBackward0", "TBackward0"],
    }  # the ReLU between them uses no parameter: it stays outside


def test_record_modules_removes_its_hooks():
    net = two_layer_net()
    with record_modules(net):
        pass
    assert all(not m._forward_hooks for m in net.modules())


def test_big_module_graph_collapses_automatically():
    mt.manual_seed(0)
    layers = []
    for _ in range(30):
        layers += [mt.nn.Linear(4, 4), mt.nn.Tanh()]
    net = mt.nn.Sequential(*layers)
    with record_modules(net):
        loss = net(mt.randn(2, 4)).sum()
    model = GraphModel(loss, model=net)
    graph = model.build()
    assert graph.total_nodes > 150
    assert len(graph) <= 150
    assert len(graph.titles("module")) == 60
    assert any("modules drawn as one box" in note for note in graph.notes)


def test_graph_over_the_limit_without_modules_is_summarised():
    x = mt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(300):
        y = y * 1.01
    graph = GraphModel(y, max_nodes=50).build()
    assert graph.total_nodes > 600
    assert len(graph) == 50
    more = graph.find("… " + str(graph.total_nodes - 49) + " more nodes")
    assert more.kind == "more"
    assert any("summary form" in note for note in graph.notes)
    assert all(len(n.lines) <= 1 for n in graph.nodes.values() if n.kind != "more")
    full = GraphModel(y, max_nodes=None).build()
    assert len(full) == full.total_nodes


# --------------------------------------------------------------------------- rendering


def test_dot_source_escapes_quotes_backslashes_and_newlines():
    w = mt.ones(2, requires_grad=True)
    graph = GraphModel((w * 2).sum(), names={'my "w"\\': w}).build()
    dot = graph_render.to_dot(graph)
    assert 'label="my \\"w\\"\\\\\\n(2,) float32' in dot


def test_legend_names_only_the_kinds_drawn():
    a, b, c, d = scalar_expression()
    legend = graph_render.legend_label(GraphModel(d).build())
    assert "leaf tensor" in legend and "operation" in legend
    assert "parameter" not in legend and "requires_grad=False" not in legend


def test_default_style_applies_to_widgets_made_afterwards():
    a, b, c, d = scalar_expression()
    try:
        graph_render.styles.set_default(font_scale=2.0)
        assert "fontsize=24.0" in graph_view.GraphView(d).rendering.dot
        assert "fontsize=12.0" in graph_view.GraphView(d, font_scale=1.0).rendering.dot
    finally:
        graph_render.styles.set_default(font_scale=1.0)


def test_font_scale_changes_the_dot_font_size():
    a, b, c, d = scalar_expression()
    graph = GraphModel(d).build()
    assert "fontsize=12.0" in graph_render.to_dot(graph)
    assert "fontsize=19.2" in graph_render.to_dot(graph, graph_render.styles.Style(1.6))
    with pytest.raises(ValueError, match="font_scale"):
        graph_render.styles.Style(font_scale=10)


@pytest.mark.skipif(graph_render.dot_program() is None, reason="Graphviz's dot is not installed")
def test_dot_draws_an_svg_with_the_labels():
    a, b, c, d = scalar_expression()
    svg, problem = graph_render.render_svg(graph_render.to_dot(GraphModel(d).build()))
    assert problem is None
    assert svg.startswith("<svg") and "MulBackward0" in svg


def test_text_form_lists_nodes_inputs_first():
    a, b, c, d = scalar_expression()
    text = graph_render.to_text(GraphModel(d, names={"a": a, "b": b, "c": c}).build())
    lines = text.splitlines()
    mul = next(i for i, line in enumerate(lines) if "MulBackward0" in line)
    add = next(i for i, line in enumerate(lines) if "AddBackward0" in line)
    assert mul < add
    assert "<- a, b" in lines[mul]


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """PATH with nothing on it: `dot` cannot be found."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert graph_render.dot_program() is None


def test_without_dot_render_gives_the_install_hint_not_an_error(no_dot):
    svg, problem = graph_render.render_svg("digraph { a -> b }")
    assert svg is None and problem == graph_render.install_hint()


def test_without_dot_or_browser_layout_the_view_shows_text_and_hint(no_dot, monkeypatch):
    monkeypatch.setattr(graph_view, "GraphvizAnyWidget", None)
    a, b, c, d = scalar_expression()
    view = graph_view.GraphView(d, names={"a": a})
    assert view.picture.children == (view.picture.notice, view.picture.text_box)
    assert "apt-get install graphviz" in view.picture.notice.value
    assert "MulBackward0" in view.picture.text_box.value
    bundle = view._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"].startswith(graph_render.install_hint())


def test_without_dot_the_browser_layout_gets_the_dot_source(no_dot):
    if graph_view.GraphvizAnyWidget is None:
        pytest.skip("graphviz-anywidget is not installed")
    a, b, c, d = scalar_expression()
    view = graph_view.GraphView(d)
    layout = view.picture.browser_layout
    assert layout in view.picture.children
    assert "MulBackward0" in layout.dot_source
    assert "text/plain" in view._repr_mimebundle_()


def test_a_failing_dot_program_is_reported_not_raised(monkeypatch, tmp_path):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\necho 'Error: syntax error in line 1' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    svg, problem = graph_render.render_svg("digraph { a -> b }")
    assert svg is None
    assert "syntax error in line 1" in problem


# --------------------------------------------------------------------------- the view


def test_show_graph_names_nodes_after_the_callers_variables():
    weight = mt.tensor([1.0, 2.0], requires_grad=True)
    total = (weight * weight).sum()
    view = graph_view.show_graph(total)
    assert {"weight", "total"} <= set(view.graph.titles())
    assert "weight" not in graph_view.show_graph(total, names=False).graph.titles()


def test_refresh_button_redraws_with_the_gradients_after_backward():
    a, b, c, d = scalar_expression()
    view = graph_view.GraphView(d, names={"a": a})
    assert view.graph.find("a").lines[-1] == "grad: None"
    before = view.rendering.dot
    d.backward()
    view.refresh_button.click()
    assert view.graph.find("a").lines[-1] == "grad: -2"
    assert view.rendering.dot != before
    assert "saved tensors: FREED" in view.rendering.dot


def test_module_buttons_expand_and_collapse_modules():
    net = two_layer_net()
    with record_modules(net):
        loss = net(mt.randn(5, 3)).pow(2).mean()
    view = graph_view.GraphView(loss, model=net, collapse=True)
    buttons = {b.description: b for b in view.module_buttons.children}
    assert sorted(buttons) == ["0", "1", "2"]
    assert all("mt-graph-module" in b._dom_classes for b in buttons.values())
    assert "ReluBackward0" not in view.graph.titles("op")
    buttons["1"].value = True
    assert "ReluBackward0" in view.graph.titles("op")
    assert "1: ReLU" not in view.graph.titles("module")
    buttons["1"].value = False
    assert "1: ReLU" in view.graph.titles("module")


def test_displayed_object_carries_a_static_svg_and_text():
    a, b, c, d = scalar_expression()
    view = graph_view.GraphView(d)
    bundle = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "MulBackward0" in bundle["text/plain"]
    if graph_render.dot_program() is not None:
        assert bundle["image/svg+xml"].startswith("<svg")
        assert view._repr_svg_() == bundle["image/svg+xml"]
    assert "mt-graph" in view._dom_classes
    assert "mt-graph-refresh" in view.refresh_button._dom_classes
