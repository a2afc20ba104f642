"""Tables and files: records to tidy tables, outcomes, confidence intervals, atomic files and manifests.

Nothing here imports the engine or the model.
"""
