"""botocore.response.StreamingBody, as a Lambda Invoke response Payload."""


class StreamingBody:
    def __init__(self, data):
        self._data = data if isinstance(data, bytes) else str(data).encode("utf-8")
        self._read = False

    def read(self, amt=None):
        if self._read:
            return b""
        self._read = True
        return self._data

    def close(self):
        pass
