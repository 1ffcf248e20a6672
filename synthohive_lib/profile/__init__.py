"""Reading real data to learn a schema or to check one against it.

:mod:`synthohive_lib.schema` is the pure model (tables, keys, graph, structural rules, YAML)
and reads nothing; what needs a source's rows lives here, above the connectors: inference of
a first ``schema.yaml`` (:mod:`.infer`, with the table samples of :mod:`.sample` and the
foreign-key targets settled by :mod:`.targets`) and the check of a source against its schema
(:mod:`.source`). Import from the modules: the package re-exports nothing, so
``synthohive_lib.profile.infer`` stays the module and not its function of that name.
"""
