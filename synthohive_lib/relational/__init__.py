"""Relational synthesis: children per parent, keys, hierarchies, many-to-many links.

The model-independent half of whole-schema generation: everything that decides *how many*
rows a table gets under each parent and *which keys* they carry, so that every foreign key of
the synthetic database resolves and its shape (children per parent, depth of a hierarchy,
per-side counts of a link table) follows the real one.
"""
