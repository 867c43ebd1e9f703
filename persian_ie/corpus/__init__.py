"""The gold corpus: building it from authored documents, splitting, validating and reporting."""
