"""Pure text rules of the wiki: titles, licences, diffs and three-way merges.

The lowest layer: it imports nothing of the wiki but its error codes (``wikicoop.errors``),
and neither Flask nor a database.
"""
