"""A headless Chromium driven over the DevTools protocol through a pipe: no Python dependency.

Chromium started with ``--remote-debugging-pipe`` reads protocol messages (JSON, each
ended by a NUL byte) from its file descriptor 3 and writes answers and events to its
descriptor 4.  :class:`Browser` starts it with a fresh profile and every network and
background feature off (the tests run offline), opens one page and offers what the
browser tests need: load a URL, evaluate JavaScript, press keys, click at a point,
take a screenshot.  :func:`find_chromium` says which binary to use (``GRAPHIR_CHROMIUM``,
else ``chromium``, ``chromium-headless-shell``, ``chromium-browser``, ``google-chrome``).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--no-default-browser-check",
    "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
]
NAMES = ("chromium", "chromium-headless-shell", "chromium-browser", "google-chrome")

#: Keys as the protocol wants them: (key, code, Windows virtual key code).
KEYS = {
    "ArrowRight": ("ArrowRight", "ArrowRight", 39),
    "ArrowLeft": ("ArrowLeft", "ArrowLeft", 37),
    "Home": ("Home", "Home", 36),
    "End": ("End", "End", 35),
    "PageDown": ("PageDown", "PageDown", 34),
    "PageUp": ("PageUp", "PageUp", 33),
}

#: CSS pixels of slack in :func:`inside`: anti-aliasing and rounding of a scaled SVG.
TOLERANCE = 1.0


def inside(inner: list[float], outer: list[float]) -> bool:
    """Box ``inner`` lies in box ``outer`` (both ``[left, top, right, bottom]``, within TOLERANCE)."""
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def find_chromium() -> str | None:
    """The Chromium binary to drive, or None when none is installed."""
    given = os.environ.get("GRAPHIR_CHROMIUM")
    if given:
        return shutil.which(given) or (given if Path(given).is_file() else None)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


class BrowserError(RuntimeError):
    """The browser did not answer, or answered with an error."""


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, binary: str, width: int = 1200, height: int = 900, timeout: float = 30.0):
        self.timeout = timeout
        self._profile = tempfile.TemporaryDirectory(prefix="graphir-chromium-")
        r, self._to_child = os.pipe()
        self._from_child, w = os.pipe()
        # Above 9, so that putting them on fds 3 and 4 never overwrites one with the other.
        to_child_r, from_child_w = fcntl.fcntl(r, fcntl.F_DUPFD, 10), fcntl.fcntl(w, fcntl.F_DUPFD, 10)
        os.close(r)
        os.close(w)
        # The browser reads from its fd 3 and writes to its fd 4; every other descriptor of
        # this process is close-on-exec (Python's default), so close_fds=False passes just these.
        self._proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile.name}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=lambda: (os.dup2(to_child_r, 3), os.dup2(from_child_w, 4)),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.session = ""
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    # ----------------------------------------------------------------- protocol
    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            n = os.write(self._to_child, data)
            data = data[n:]

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed its pipe (did it start?)")
                self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> Any:
        """Send one command to the page (or, ``session=False``, the browser); its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return answer.get("result", {})
            if "method" in answer:
                self._events.append(answer)

    def wait_event(self, method: str) -> dict[str, Any]:
        """The next event ``method`` of the page (waiting for it if needed)."""
        deadline = time.monotonic() + self.timeout
        while True:
            for k, e in enumerate(self._events):
                if e["method"] == method:
                    return self._events.pop(k)
            answer = self._receive(deadline)
            if "method" in answer:
                self._events.append(answer)

    # ----------------------------------------------------------------- page
    def load(self, url: str) -> None:
        """Open ``url`` and wait until its load event."""
        self._events = [e for e in self._events if e["method"] != "Page.loadEventFired"]
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired")

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-serialisable)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"JavaScript failed: {result['exceptionDetails'].get('text')}: {expression}")
        return result["result"].get("value")

    def press(self, name: str) -> None:
        """Press and release a key (a name of :data:`KEYS`, or ``" "``)."""
        if name == " ":
            key, code, vk, text = " ", "Space", 32, " "
        else:
            key, code, vk = KEYS[name]
            text = ""
        down = {"type": "keyDown" if text else "rawKeyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", down)
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                             "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk})

    def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element ``selector``."""
        box = self.eval(
            f"(function(){{var r=document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            "return [r.left + r.width / 2, r.top + r.height / 2];})()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """A PNG of the page as a reader sees it (``full_page``: the whole document)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    # ----------------------------------------------------------------- life
    def close(self) -> None:
        try:
            self.call("Browser.close", session=False)
        except (BrowserError, OSError):
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

