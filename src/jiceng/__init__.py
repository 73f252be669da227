"""Jiceng (基层): urban grassroots party building and community governance platform."""
