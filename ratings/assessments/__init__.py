"""Supervisor evaluations (people's deputies, CPPCC members) and regulators' inspections:
two kinds of evidence the rating method weighs beside enterprises' reviews (DESIGN §5)."""
