"""Many runs: plans and chunks, workers, the driver and its executors (local processes, Dask)."""
