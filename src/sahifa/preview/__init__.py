"""For designers: page images (proofs), visual diffs of two PDFs, and a live preview server.

``raster`` turns PDF bytes into page images in-process (PDFium); ``diff`` compares two PDFs
page by page; ``server`` watches the project, re-renders through the one pipeline and pushes
the new page images to the open browser page.
"""
