"""The array expression the picture and text tests share: least-squares linear regression.

``L = 0.5 * mean((X @ w + b - y)**2)`` on a 3×2 ``X``; with the residual
``r = X w + b - y`` the closed forms are ``∂L/∂w = Xᵀ r / n`` and ``∂L/∂b = sum(r) / n``.
"""

from __future__ import annotations

import numpy as np

import graphir as gi

XV = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
YV = np.array([1.0, 2.0, 3.0])
AT = {"w": np.array([0.5, -0.25]), "b": 0.1}


def loss() -> gi.Expr:
    X, y = gi.constant(XV, name="X"), gi.constant(YV, name="y")
    w, b = gi.symbols("w", shape=(2,)), gi.symbols("b")
    return 0.5 * gi.mean((X @ w + b - y) ** 2)


def residual() -> np.ndarray:
    return XV @ AT["w"] + AT["b"] - YV
