"""Plumbing shared by the emulators: a tiny WSGI toolkit, a threaded server, fault injection."""
from .emulator import CONTROL_PREFIX, EmulatorApp
from .faults import FaultConfig, FaultConfigError, FaultInjector, RateLimit
from .server import DropConnection, ServerHandle, serve
from .wsgi import BadRequest, Request, Response, Router, html_response, json_response, redirect, text_response

__all__ = [
    "CONTROL_PREFIX",
    "BadRequest",
    "DropConnection",
    "EmulatorApp",
    "FaultConfig",
    "FaultConfigError",
    "FaultInjector",
    "RateLimit",
    "Request",
    "Response",
    "Router",
    "ServerHandle",
    "html_response",
    "json_response",
    "redirect",
    "serve",
    "text_response",
]
