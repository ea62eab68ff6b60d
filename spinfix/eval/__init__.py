"""Evaluation: the figures in the model cards, measured through the public API on the generated
splits and on real tortured phrases."""
