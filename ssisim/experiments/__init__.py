"""What users run on top of many runs: the shared pipeline and its store, sweeps, sensitivity, teams, cohorts, calibration and fits."""
