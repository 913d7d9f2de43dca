"""Community services built on the core: accounts and tokens, review of revisions,
discussions, watchlists and notifications, recent changes, feeds, e-mail, blocks and roles.

Imports the core, never the web layer.
"""
