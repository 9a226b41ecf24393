"""Archives: what an item's PDF is made from and carries, and how a PDF left in an output
folder is verified.

    inputs       the item's input files and their hash (the re-render key, the PDF's /ID)
    attachments  the sources and images a PDF/A carries, layout and font files pinned by hash
    verify       a whole, undamaged PDF and the input hash in its /ID (batch --resume)
    extract      ``sahifa extract``: a PDF/A's attachments back to files, safely
"""
