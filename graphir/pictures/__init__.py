"""Pictures of computation graphs: the model of what a picture shows, its labels,
DOT text, running Graphviz, step-by-step frames and the HTML stepper.

The folder answers one question: *how is a graph drawn?*  Text products that need
no Graphviz (trace tables, worked examples) live in :mod:`graphir.text`.
"""
