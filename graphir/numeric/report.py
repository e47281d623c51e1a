"""What every numeric report shares: JSON from its plain data, IPython showing its text, and the
bundle of Jupyter's display protocol (:func:`mime_bundle`, which every displayed object uses).

>>> from dataclasses import dataclass
>>> @dataclass
... class Demo(Report):
...     value: float
...     def to_dict(self): return {"value": self.value}
...     def __str__(self): return f"value {self.value}"
>>> print(Demo(0.5).to_json())
{
  "value": 0.5
}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["Report", "mime_bundle"]


class Report:
    """Mixin of the report classes: a subclass gives :meth:`to_dict` (plain, JSON-ready data) and
    ``__str__`` (the readable text); :meth:`to_json` and IPython's pretty printer follow from them."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (non-finite numbers as None)."""
        raise NotImplementedError

    def to_json(self, indent: int | None = 2) -> str:
        """JSON of :meth:`to_dict` (valid JSON: non-finite numbers must already be null)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def mime_bundle(
    makers: Mapping[str, Callable[[], str | None]],
    include: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """The bundle of Jupyter's display protocol (``_repr_mimebundle_``): MIME type -> text.

    ``makers`` maps each MIME type an object can show to a function that writes it; only the
    types asked for are written (``include``: those only, None meaning all; ``exclude``: not
    those).  A maker that returns None or fails leaves its type out (a picture without
    Graphviz, say): a display hook must never raise, and the other types still show.

    >>> mime_bundle({"text/plain": lambda: "x", "text/html": lambda: 1 / 0}, exclude={"text/latex"})
    {'text/plain': 'x'}
    >>> mime_bundle({"text/plain": lambda: "x", "text/html": lambda: "<b>x</b>"}, include={"text/html"})
    {'text/html': '<b>x</b>'}
    """
    wanted = [m for m in makers
              if (include is None or m in include) and (exclude is None or m not in exclude)]
    out: dict[str, str] = {}
    for mime in wanted:
        try:
            data = makers[mime]()
        except Exception:  # broad on purpose: a notebook display must never raise
            continue
        if data is not None:
            out[mime] = data
    return out
