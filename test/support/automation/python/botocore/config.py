"""botocore.config.Config: keeps the settings the stand-in client honours (timeouts, retries)."""


class Config:
    def __init__(self, *args, **kwargs):
        self.connect_timeout = kwargs.get("connect_timeout", 60)
        self.read_timeout = kwargs.get("read_timeout", 60)
        self.retries = kwargs.get("retries") or {}
        self.region_name = kwargs.get("region_name")
        self._explicit = dict(kwargs)

    def merge(self, other):
        merged = dict(self._explicit)
        merged.update(other._explicit)
        return Config(**merged)
