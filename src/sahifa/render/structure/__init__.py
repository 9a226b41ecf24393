"""The tagged PDF: which elements are story, heading, paragraph or furniture (``roles``), and
the structure tree built from what was drawn (``tree``). Used by the ``marked_content`` and
``structure_tree`` engine patches; ``sahifa.archive.text`` reads the tree back."""
