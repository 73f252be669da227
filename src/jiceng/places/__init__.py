"""Locating a case from what callers know: the standard address registry (标准地址) with
its aliases, the address matcher and the placement of coordinates in a district."""
