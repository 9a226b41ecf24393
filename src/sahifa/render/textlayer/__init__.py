"""The text layer's decisions, free of any engine: which text each glyph carries
(``clusters``), the codes and maps that carry it (``codes``), carrier widths (``widths``) and
the order a right-to-left line is written in for extractors (``lineorder``). Unit-tested
without WeasyPrint; ``sahifa.render.patches`` applies them while WeasyPrint draws."""
