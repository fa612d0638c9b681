"""Output formats: each module is a pure function of the findings (and the graph, for diagrams) that
returns a string; only the CLI writes."""
