"""``sahifa preview``: live page images on 127.0.0.1 that follow every save."""

from __future__ import annotations

import argparse
from typing import TextIO

from sahifa.commands import EXIT_OK


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from sahifa.pipeline import RenderJob
    from sahifa.preview.server import Previewer, serve
    from sahifa.settings import find_root

    root = find_root(args.article, args.project)
    # Overset pages still show (with the overset listed): the designer is fixing them.
    job = RenderJob(source=args.article, layout=args.layout, allow_overset=True,
                    root=args.project, strict=args.strict)  # fmt: skip
    previewer = Previewer(job, root, args.dpi)
    server = serve(previewer, args.port, str(args.article),
                   announce=lambda line: print(line, file=stdout, flush=True))  # fmt: skip
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        previewer.stop()
        server.server_close()
    return EXIT_OK
