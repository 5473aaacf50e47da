"""Reading the graph: entity views and lists, search, the networkx projection and its algorithms,
and exports; everything the HTTP interface and the CLI ask of a store.
"""
