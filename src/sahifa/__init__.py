"""sahifa (صحيفة): Arabic newspaper pages from article files.

The data flow, one module per step::

    article file --content.reader--> Article --compose--> HTML --pdf (WeasyPrint)--> PDF

``pipeline.render`` is the one entry point that runs it; the CLI, batch workers and the
preview server all call it.
"""

__version__ = "0.1.0"
