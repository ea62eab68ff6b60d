"""The language model (SmolLM2-135M): loading it from its GGUF package, its surprise at each word,
and batched scoring of continuations in one packed key/value cache."""
