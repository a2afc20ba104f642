"""One run: a seller's weeks and the population's answers, as a SimPy simulation (no I/O, no globals)."""
