"""The HTTP service (`spinfix serve`): the pipeline behind FastAPI, loaded once per process,
requests arriving together batched into one model call. Needs the `serve` extra
(pip install 'spinfix[serve]')."""
from spinfix.serve.settings import ServeSettings

__all__ = ["ServeSettings", "create_app"]


def __getattr__(name: str):  # FastAPI is imported only when the app is made
    if name == "create_app":
        from spinfix.serve.app import create_app

        return create_app
    raise AttributeError(name)
