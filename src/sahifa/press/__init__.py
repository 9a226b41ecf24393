"""Press-ready output (issue #9): PDF/X-4 and X-1a with bleed, marks and a CMYK output
intent, one file per plate, and the press preflight.

WeasyPrint writes the pages (with the bleed asked for in CSS); everything else is done here
on the written PDF with pikepdf, so no module of this package imports WeasyPrint:

- ``config``: the ``press:`` preset of ``sahifa.yaml`` and the command line's overrides;
- ``marks``: crop and registration marks, outside the bleed, in registration colour;
- ``cmyk``: images and stray RGB colours to CMYK with the plant's ICC profile;
- ``pdfx``: page boxes, output intent, PDF/X metadata, deterministic bytes;
- ``split``: one PDF per plate, named by the paper's pattern, written all or nothing;
- ``preflight``: ``sahifa check --press``.
"""
