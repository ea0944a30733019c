"""Runs cases through compiled SOPs: machines, forms, clock and the atomic fire contract."""
