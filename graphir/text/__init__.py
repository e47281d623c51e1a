"""Text products: the notation of the AD literature (``v_k`` names, tangent and adjoint
marks, number formats), evaluation-trace tables, sums over paths and worked examples.

The folder answers one question: *how is a derivative written down?*  It needs no
Graphviz; pictures live in :mod:`graphir.pictures`.
"""
