"""``sahifa preview``: a local page that shows the rendered pages and follows every save.

A watcher polls the files the render reads (``pipeline.watched_files``: the target, its
articles and images, settings, the layout chain, the fonts) and marks the state dirty whenever
they differ from what the last render started from; one render thread re-renders through the
pipeline then. Saves that arrive during a render make exactly
one more render: rapid saves never queue up stale renders. The render itself runs in a warm
worker process under the project's ``limits.render_seconds``: a thread cannot be stopped
inside WeasyPrint, a process can be killed (and a fresh one serves the next render).

The browser page holds a Server-Sent Events connection and swaps in the new page images by
itself; a render error shows in the page while the last good pages stay. The server listens
on 127.0.0.1 only and answers only requests addressed to it by name (``Host:``), so a web page
that rebinds its own DNS name to 127.0.0.1 cannot read the pages.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sahifa.batch.workers import Worker, WorkerDied
from sahifa.copyfit.rules import StoryStatus
from sahifa.errors import RenderError, SahifaError
from sahifa.pipeline import RenderJob, build, watched_files
from sahifa.preview.raster import png_bytes, rasterize
from sahifa.settings import Limits, load_settings

POLL_SECONDS = 0.1


@dataclass
class State:
    version: int = 0  # bumped on every finished render, good or bad
    pages: list[bytes] = field(default_factory=list)
    pdf: bytes = b""
    error: str = ""
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    plan: bytes = b""  # editions: the flat plan (sahifa.copyfit.flatplan) as PNG
    provisional: bool = False  # the last fitting's words with the new files; the fit follows

    def public(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "provisional": self.provisional,
            "pages": len(self.pages),
            "plan": bool(self.plan),
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Rendered:
    """What the preview needs of one render: plain data, so it crosses the worker's pipe."""

    pdf: bytes = b""
    pages: int = 0
    warnings: tuple[str, ...] = ()  # WeasyPrint's warnings and overset stories, one line each
    error: str = ""  # one line: the render failed (the last good pages stay)
    copyfit: tuple[StoryStatus, ...] = ()  # editions: every story box, for the flat plan
    provisional: bool = False  # editions: not fitted yet (``RenderJob.provisional``)


def render_pdf(job: RenderJob) -> Rendered:
    """Render ``job`` to PDF bytes; runs in the worker process."""
    try:
        result, data = build(job)
    except SahifaError as exc:
        return Rendered(error=str(exc))
    except Exception as exc:  # a bug must not kill the worker the designer is using
        return Rendered(error=f"internal error: {type(exc).__name__}: {exc}")
    problems = [*result.warnings, *(o.problem(result.source) for o in result.overset)]
    return Rendered(data, result.pages, tuple(str(p) for p in problems), "",
                    tuple(result.copyfit), result.provisional)  # fmt: skip


class WorkerRenderer:
    """Renders each job in a warm worker process, killed past ``limits.render_seconds``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # spawn, not fork: the preview's HTTP and watcher threads may hold locks that a fork
        # would copy held, and a spawned worker does not inherit the listening socket.
        self._worker = Worker(render_pdf, context=multiprocessing.get_context("spawn"))
        self._closed = False

    def __call__(self, job: RenderJob) -> Rendered:
        if self._closed:  # a render that began as the server stopped: no worker for it
            return Rendered(error=str(RenderError("the preview is stopping", file=job.source)))
        try:
            # Read at every render: the designer may change the limit while previewing.
            seconds = load_settings(self.root)[0].limits.render_seconds
        except SahifaError:
            seconds = Limits().render_seconds  # the render itself reports the broken file
        try:
            rendered: Rendered = self._worker.call(job, seconds)
            return rendered
        except TimeoutError:
            error: SahifaError = SahifaError(
                "limit", f"the render took longer than {seconds:g} s (limits.render_seconds)",
                file=job.source,
            )  # fmt: skip
        except WorkerDied as died:
            error = RenderError(f"the render process died (exit code {died.exitcode})",
                                file=job.source)  # fmt: skip
        if not self._closed:
            self._worker.start()  # warms up while the designer fixes the article
        return Rendered(error=str(error))

    def close(self) -> None:
        self._closed = True
        self._worker.stop()


class Previewer:
    """Watches the project, renders on change, and hands out the latest state.

    ``render`` turns the job into PDF bytes; by default a ``WorkerRenderer`` (tests pass a
    function they control)."""

    def __init__(
        self, job: RenderJob, root: Path, dpi: float = 60,
        render: Callable[[RenderJob], Rendered] | None = None,
    ) -> None:  # fmt: skip
        self.job = job
        self.root = root
        self.dpi = dpi
        self._renderer: WorkerRenderer | None = None
        if render is None:  # the previewer's own: stop() ends its worker
            render = self._renderer = WorkerRenderer(root)
        self.render = render
        self.state = State()
        self.changed = threading.Condition()
        self._dirty = threading.Event()
        # The files as the running (or last) render found them when it started. The watcher
        # compares against it, not against its own previous look: a save it noticed only
        # after that render started is in it already, and makes no second render.
        self._rendered: dict[Path, float] = {}
        self._watched: list[Path] = []  # the files the render reads
        self._files_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- watching ---------------------------------------------------------------------
    def snapshot(self) -> dict[Path, float]:
        """Size and time of each file the render reads (``pipeline.watched_files``, found
        again before each render: an edit that names a new file is seen at once)."""
        files: dict[Path, float] = {}
        for path in self._watched:
            try:
                stat = path.stat()
                files[path] = stat.st_mtime_ns + stat.st_size
            except OSError:
                continue  # a file being replaced by an editor's save
        return files

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            # Looked at and compared under the lock that render_once takes to clear the flag
            # and record its files: a look from before that cannot mark the state dirty.
            with self._files_lock:
                if self.snapshot() != self._rendered:
                    self._dirty.set()

    # -- rendering --------------------------------------------------------------------
    def render_once(self) -> None:
        with self._files_lock:
            self._dirty.clear()
            self._watched = watched_files(self.job)
            self._rendered = self.snapshot()  # before the render reads them: never newer
        started = time.perf_counter()
        # An edition saved with no story changed (a stylesheet, say) shows first with the last
        # fitting's words in the new look (one layout), then fitted; a save that arrives
        # meanwhile skips the fitting and starts over.
        provisional = self._render(replace(self.job, provisional=True), started)
        if provisional and not self._dirty.is_set() and not self._stop.is_set():
            self._render(self.job, started)

    def _render(self, job: RenderJob, started: float) -> bool:
        """Render ``job`` and publish the pages (or the error); True if they are provisional."""
        update: dict[str, Any]
        provisional = False
        try:
            rendered = self.render(job)
            if rendered.error:
                update = {"error": rendered.error}  # the last good pages stay
            else:
                provisional = rendered.provisional
                images = rasterize(rendered.pdf, self.dpi)
                pages = [png_bytes(image) for image in images]
                update = {"pages": pages, "pdf": rendered.pdf, "error": "",
                          "warnings": list(rendered.warnings), "provisional": provisional,
                          "plan": _plan(images, rendered.copyfit, self.dpi)}  # fmt: skip
        except SahifaError as exc:
            update = {"error": str(exc)}  # the last good pages stay
        except Exception as exc:  # a bug must not kill the server the designer is using
            update = {"error": f"internal error: {type(exc).__name__}: {exc}"}
        with self.changed:
            for key, value in update.items():
                setattr(self.state, key, value)
            self.state.seconds = time.perf_counter() - started
            self.state.version += 1
            self.changed.notify_all()
        return provisional

    def _render_loop(self) -> None:
        while not self._stop.is_set():
            if not self._dirty.wait(0.5):
                continue
            self.render_once()  # changes meanwhile set _dirty again: one more render, no queue

    def start(self) -> None:
        self.render_once()
        for target in (self._watch, self._render_loop):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        if self._renderer is not None:
            self._renderer.close()  # a render still running ends with an error nobody sees
        with self.changed:
            self.changed.notify_all()

    def wait_for_change(self, version: int, timeout: float) -> State:
        with self.changed:
            self.changed.wait_for(
                lambda: self.state.version != version or self._stop.is_set(), timeout
            )
            return self.state


PAGE = r"""<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>sahifa preview</title>
<style>
 body { font-family: sans-serif; background: #777; margin: 0; }
 header { background: #222; color: #eee; padding: 6px 12px; font-size: 14px; direction: ltr; }
 header a { color: #9cf; }
 #error { display: none; white-space: pre-wrap; background: #fdd; color: #900; padding: 10px;
          font: 14px monospace; direction: ltr; text-align: left; border-bottom: 2px solid #900; }
 #warnings { white-space: pre-wrap; background: #ffd; color: #630; padding: 6px 10px;
             font: 12px monospace; direction: ltr; text-align: left; }
 #warnings:empty { display: none; }
 #pages { display: flex; flex-wrap: wrap; gap: 12px; padding: 12px; justify-content: center; }
 #pages img { background: white; box-shadow: 0 2px 8px #0008; }
 #plan { display: none; margin: 12px auto 0; max-width: calc(100% - 24px); }
</style></head>
<body>
<header>sahifa preview — <span id="target"></span> — <a href="/document.pdf">PDF</a>
 — <span id="status">connecting…</span></header>
<div id="error"></div>
<div id="warnings"></div>
<img id="plan" alt="the flat plan">
<div id="pages" data-version="0"></div>
<script>
const pages = document.getElementById('pages');
const errorBox = document.getElementById('error');
const status = document.getElementById('status');
function show(state) {
  errorBox.textContent = state.error;
  errorBox.style.display = state.error ? 'block' : 'none';
  if (!state.error) document.getElementById('warnings').textContent = state.warnings.join('\n');
  status.textContent = 'version ' + state.version + ', ' + state.pages + ' page(s), ' +
                       state.seconds + ' s' + (state.provisional ? ' — fitting…' : '');
  const plan = document.getElementById('plan');  // editions: the flat plan above the pages
  if (!state.error) {
    plan.style.display = state.plan ? 'block' : 'none';
    if (state.plan) plan.src = '/plan.png?v=' + state.version;
  }
  if (state.error && pages.children.length) return;  // keep the last good pages
  while (pages.children.length > state.pages) pages.lastChild.remove();
  let pending = state.pages;
  // Shown: the version, and whether it is fitted (an edition's quick look is not yet).
  const shown = () => {
    pages.dataset.fitted = state.provisional ? '0' : '1';
    pages.dataset.version = state.version;
  };
  const done = () => { if (--pending <= 0) shown(); };
  if (!pending) { shown(); return; }
  for (let i = 1; i <= state.pages; i++) {
    let img = pages.children[i - 1];
    if (!img) {
      img = document.createElement('img'); img.alt = 'page ' + i; pages.appendChild(img);
    }
    const next = new Image();
    next.onload = () => { img.src = next.src; img.dataset.version = state.version; done(); };
    next.onerror = done;
    next.src = '/page/' + i + '.png?v=' + state.version;
  }
}
const events = new EventSource('/events');
events.onmessage = (e) => show(JSON.parse(e.data));
events.onerror = () => { status.textContent = 'disconnected, retrying…'; };
document.getElementById('target').textContent = TARGET;
</script></body></html>
"""


def _plan(images: list[Any], statuses: tuple[StoryStatus, ...], dpi: float) -> bytes:
    """The flat plan of an edition's pages (none for an article): the page images shrunk to
    thumbnails, each story box outlined and labelled."""
    if not statuses:
        return b""
    from sahifa.copyfit.flatplan import THUMB_DPI, draw_plan

    scale = min(1.0, THUMB_DPI / dpi)
    thumbs = [i.resize((round(i.width * scale), round(i.height * scale))) for i in images]
    return png_bytes(draw_plan(thumbs, list(statuses)))


def page_html(target: str) -> bytes:
    """The preview page, naming ``target`` in its script: escaped so that a file named
    "x</script><img onerror=…>.yaml" stays text."""
    quoted = json.dumps(target).replace("<", "\\u003c").replace(">", "\\u003e").replace(
        "&", "\\u0026")  # fmt: skip
    return PAGE.replace("TARGET", quoted).encode("utf-8")


def make_handler(previewer: Previewer, target: str) -> type[BaseHTTPRequestHandler]:
    page = page_html(target)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the terminal shows renders, not requests

        def _send(self, body: bytes, content_type: str, status: int = HTTPStatus.OK) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _addressed_to_us(self) -> bool:
            # DNS rebinding: a web page whose name now resolves to 127.0.0.1 reaches this
            # port from the browser, but its requests still carry its own name as Host.
            port = self.server.server_address[1]
            hosts = self.headers.get_all("Host") or []
            return len(hosts) == 1 and hosts[0] in (f"127.0.0.1:{port}", f"localhost:{port}")

        def do_GET(self) -> None:
            if not self._addressed_to_us():
                self._send(b"forbidden: open the preview as http://127.0.0.1:PORT/\n",
                           "text/plain; charset=utf-8", HTTPStatus.FORBIDDEN)  # fmt: skip
                return
            path = self.path.split("?", 1)[0]
            state = previewer.state
            if path == "/":
                self._send(page, "text/html; charset=utf-8")
            elif path == "/state":
                self._send(json.dumps(state.public()).encode(), "application/json")
            elif path == "/plan.png" and state.plan:
                self._send(state.plan, "image/png")
            elif path == "/document.pdf" and state.pdf:
                self._send(state.pdf, "application/pdf")
            elif path.startswith("/page/") and path.endswith(".png"):
                try:
                    self._send(state.pages[int(path[6:-4]) - 1], "image/png")
                except (ValueError, IndexError):
                    self._send(b"no such page", "text/plain", HTTPStatus.NOT_FOUND)
            elif path == "/events":
                self._events()
            elif path == "/favicon.ico":
                self._send(b"", "image/x-icon", HTTPStatus.NO_CONTENT)
            else:
                self._send(b"not found", "text/plain", HTTPStatus.NOT_FOUND)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            version = -1
            try:
                while not previewer._stop.is_set():
                    state = previewer.wait_for_change(version, timeout=15)
                    if state.version == version:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        version = state.version
                        self.wfile.write(f"data: {json.dumps(state.public())}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def serve(
    previewer: Previewer, port: int, target: str, announce: Any = print
) -> ThreadingHTTPServer:
    """Start the previewer and an HTTP server on 127.0.0.1:``port`` (0: any free port)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(previewer, target))
    server.daemon_threads = True
    previewer.start()
    announce(f"sahifa preview: http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    return server
