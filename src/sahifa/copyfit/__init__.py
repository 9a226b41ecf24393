"""Copy-fitting an edition: the rules every story box keeps, and the fixes that make it keep them.

``rules``  the layout's limits (min-body-lines, headline scale, photo heights) and the judgement
           of one laid-out box: fits, over, under, short (too few body lines), cut, continued;
``search`` the fixes for a story that is over, under or short, each verified by laying the
           page out again (photo height, headline size, span, cut, continue), cheapest first;
``flatplan`` the editor's overview: every page a thumbnail, every box outlined and labelled.

The fitting loop itself (cut, continue, balance, size: auto, overflow: fit) is
``sahifa.fitting``; ``sahifa check`` prints what ``search`` finds.
"""
