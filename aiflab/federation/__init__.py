"""Federation: a node that publishes recipes and pools as signed, content-addressed artefacts in a
DCAT-AP / Dataspace Protocol catalog, and pulls, verifies and searches what its peers publish."""
