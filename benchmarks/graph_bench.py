"""Graph-widget benchmarks (issue: widgets): how long drawing a big graph takes.

The goal: a 500-node graph becomes DOT source in under a second (walking autograd, the
labels with their value summaries, the DOT text). Also timed, for context: the summary
form the widget switches to above 150 nodes, Graphviz's own layout of that summary (not
ours to speed up), a collapsed 30-layer MLP, and the backward stepper's recording and
one redraw.
"""

import minitensor as mt
from widgets.graph import render as graph_render
from widgets.graph.model import GraphModel
from widgets.graph.modules import record_modules
from widgets.stepper.model import BackwardStepperModel

from .harness import Table, best_time


def graph_of_about(nodes):
    """A loss whose drawing has about `nodes` nodes: ops, kept intermediates and leaves."""
    mt.manual_seed(0)
    x = mt.randn(8, requires_grad=True)
    weights = [mt.randn(8, requires_grad=True) for _ in range(nodes // 10)]
    kept = []  # intermediates held by Python: each is a tensor node of its own
    y = x
    i = 0
    while True:
        y = (y * weights[i % len(weights)]).tanh() if i % 2 else y + 0.5
        kept.append(y)
        loss = y.sum()
        size = len(GraphModel(loss, max_nodes=None).build()) if i % 5 == 0 else 0
        if size >= nodes:
            return loss, kept
        i += 1


def deep_mlp(layers):
    mt.manual_seed(0)
    modules = []
    for _ in range(layers):
        modules += [mt.nn.Linear(16, 16), mt.nn.Tanh()]
    net = mt.nn.Sequential(*modules)
    with record_modules(net):
        loss = net(mt.randn(4, 16)).pow(2).mean()
    return loss, net


def run(quick=False):
    repeats = 2 if quick else 5
    table = Table("Graph widget: building and drawing big graphs")
    loss, kept = graph_of_about(500)
    full = GraphModel(loss, max_nodes=None)
    size = len(full.build())

    def to_dot_full():
        graph_render.to_dot(full.build())

    table.add_minitensor(
        f"{size}-node graph -> DOT source (everything drawn)",
        to_dot_full,
        repeats,
        goal="< 1 s",
    )
    auto = GraphModel(loss)

    def to_dot_summary():
        graph_render.to_dot(auto.build())

    table.add_minitensor(
        f"{size}-node graph -> DOT source (summary form, 150 nodes)",
        to_dot_summary,
        repeats,
    )
    if graph_render.dot_program() is not None:
        # Only the summary form: Graphviz needs tens of seconds to lay out all 500 nodes
        # of this graph (its long edges from shared weights), one reason for the limit.
        source = graph_render.to_dot(auto.build())
        table.add(
            f"{size}-node graph, summary form: Graphviz `dot -Tsvg` layout",
            {"graphviz": best_time(lambda: graph_render.render_svg(source), repeats)},
            "s",
            "graphviz",
        )
    mlp_loss, net = deep_mlp(30)
    collapsed = GraphModel(mlp_loss, model=net)
    table.add_minitensor(
        f"30-layer MLP ({len(GraphModel(mlp_loss, max_nodes=None).build())} nodes), "
        "modules collapsed -> DOT",
        lambda: graph_render.to_dot(collapsed.build()),
        repeats,
    )
    table.add_minitensor(
        f"{size}-node graph: stepper records every backward step",
        lambda: BackwardStepperModel(loss),
        repeats,
    )
    stepper = BackwardStepperModel(loss)
    stepper.go_to(len(stepper) // 2)
    table.add_minitensor(
        f"{size}-node graph: stepper redraw at the middle step -> DOT",
        lambda: graph_render.to_dot(stepper.graph()),
        repeats,
    )
    del kept
    return table


if __name__ == "__main__":
    print(run().markdown())
