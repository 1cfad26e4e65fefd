"""Generated data, labelled as such: the anchored national fill and the national-scale benchmark data."""
