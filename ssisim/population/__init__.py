"""The population: members as numpy arrays, ties as CSR, the seller's seats, every member's SSI, and the per-process cache."""
