"""What every numeric report shares: JSON from its plain data, and IPython showing its text.

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
from typing import Any

__all__ = ["Report"]


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
