"""File hashes, computed once per file version in a process.

A batch checks thousands of items against the same layouts and fonts (megabytes); the cache
key includes the file's size and modification time, so an edited file is hashed again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CACHE: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    digest = _CACHE.get(key)
    if digest is None:
        digest = _CACHE[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest
