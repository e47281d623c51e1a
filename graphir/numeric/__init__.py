"""Numerics: finite differences, comparisons of derivative methods, step sweeps and checks.

- :mod:`.finite_difference`: :func:`finite_difference` (forward, backward, central,
  complex step, Richardson) with error estimates.
- :mod:`.compare`: :func:`compare`, every way graphir computes a gradient side by side.
- :mod:`.sweep`: :func:`step_sweep`, error against step size, and its picture.
- :mod:`.check`: :func:`check_claims`, is a claimed partial derivative right?
- :mod:`.gradcheck`: :func:`check_partials`, is each primitive's partial rule right?

The public names are reached as ``graphir.finite_difference`` and so on; this
package imports nothing until they are used (matplotlib only when plotting).
"""

from __future__ import annotations
