"""One router per API resource; :mod:`portalroi.api.app` mounts them under ``/api/v1``."""
