"""Making the graph: fact sheets -> checked facts -> quads in named graphs -> SHACL -> a store.

``sheets`` reads and checks the YAML, ``quads`` turns checked facts into quads, ``validate``
runs the SHACL shapes, ``pipeline`` chains them; ``iris`` and ``dates`` are the terms they mint.
"""
