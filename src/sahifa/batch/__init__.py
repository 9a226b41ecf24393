"""Archive batches: thousands of back issues, in parallel, resumable, reproducible.

``discover`` finds the items (editions, and articles no edition uses); ``manifest`` is the
append-only record of what was rendered from which inputs; ``workers`` runs items in warm
worker processes, each item under a wall-clock timeout and a memory cap; ``command`` ties them
together with progress and a summary. Every item renders through ``sahifa.pipeline``.
"""
