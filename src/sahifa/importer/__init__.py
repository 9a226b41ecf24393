"""Importing scraped plain-text back issues into article files, losing nothing.

``decoding`` finds the text's encoding (UTF-8, UTF-8 with BOM, Windows-1256) by judging how
Arabic the result reads; ``profile`` holds a paper's boilerplate and limits; ``scraped``
recognises headline, caption, subheads, run-in heads and paragraphs and writes the article;
the check that every input line survived is part of it.
"""
