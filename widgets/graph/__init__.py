"""The computation-graph widget, `show_graph(loss)`.

    model.py     GraphModel: what is drawn (nodes, edges, labels), read from the autograd
                 graph through minitensor.autograd.graph; plain Python
    modules.py   which ops each nn.Module made (`record_modules`), collapsing them; plain
    render.py    DOT source, SVG through Graphviz's `dot`, or text; plain Python
    view.py      GraphView and show_graph: the ipywidgets around a drawing

Read next: model.py.
"""
