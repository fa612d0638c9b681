"""Reachability facts, computed from the model and never changed afterwards: the graph of who is attached
to what (:mod:`.graph`), what each proxy upstream reaches (:mod:`.resolve`) and which sockets a service
opens (:mod:`.listen`). Pure: no I/O, no proxy syntax."""
