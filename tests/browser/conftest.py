"""What the browser tests share: the folder their screenshots go to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder, or ``GRAPHIR_SCREENSHOTS=folder`` to keep the screenshots there."""
    keep = os.environ.get("GRAPHIR_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        return Path(keep)
    return tmp_path_factory.mktemp("screenshots")
