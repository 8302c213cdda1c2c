"""Complaints against agencies, handled with due process and deadlines in working days;
regulators' declared conflicts of interest; breaches of the signed commitment."""
