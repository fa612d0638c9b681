"""nginx: its configuration syntax (:mod:`.syntax`), its routes (:mod:`.routes`) and its error log
(:mod:`.errorlog`)."""
