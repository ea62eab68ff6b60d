"""Restoration: candidate originals for each flagged span, the rules every restorer obeys, the
baseline (candidates scored by the LM and fitted evidence) and the rewriter (SmolLM2 + LoRA),
their settings, and the table of methods."""
