"""Checking a text against a clean parallel article: sentence and word alignment, the
differences and what they are, restoration from the reference, and the evidence of derivation."""
