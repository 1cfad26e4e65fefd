"""Reading the input files: release packages, methodologies, reference units, layouts, plans, corrections."""
