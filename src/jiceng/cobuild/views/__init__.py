"""Co-building pages, one module per aggregate: the overview of the three lists, needs
(with a resident's report), resources, matching and proposals, projects, agreements,
joint meetings, venues. A detail page shows its forms; each form posts to its own action
view, which calls one service (urls.py names them all)."""
