"""Around the pipeline: reading user input safely, writing output without destroying anything,
reports streamed in their formats, progress on long runs."""
