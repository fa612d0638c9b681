"""Sources: the readers that turn compose files, proxy configs and the live engine into the model."""
