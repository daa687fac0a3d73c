"""
Stand-in boto3 for the runbook executor's tests (test/support/automation).

boto3.client(service) returns a client whose snake_case methods forward
{region, service, operation, params} to the fake AWS world of the Node test
process (through _dra_bridge, set up by harness.py) and return its answer, or
raise what botocore raises: ClientError for a service error,
EndpointConnectionError when the region refuses connections,
ConnectTimeoutError when it hangs, ParamValidationError for a call the AWS
model does not accept (checked by the world against the SDK's schemas).
"""
import os

import _dra_bridge
from botocore.config import Config
from botocore.exceptions import ClientError, OperationNotPageableError, ParamValidationError
from botocore.response import StreamingBody

__version__ = "1.35.0-standin"

_TOKENS = (("nextToken", "nextToken"), ("NextToken", "NextToken"), ("Marker", "Marker"), ("NextMarker", "Marker"))


_EXCEPTIONS = {}


class FakeAnswerOutsideModel(Exception):
    """The fake AWS world answered something the SDK model of the operation does not declare (a defect of the fake)."""


class _Exceptions:
    """client.exceptions.X: a ClientError subclass per error code ("Fault" suffix optional), shared by a service's clients."""

    def __init__(self, service):
        self._classes = _EXCEPTIONS.setdefault(service, {})

    def for_code(self, code):
        key = code[:-5] if code.endswith("Fault") else code
        if key not in self._classes:
            self._classes[key] = type(code, (ClientError,), {})
        return self._classes[key]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.for_code(name)


class _Meta:
    def __init__(self, service, region):
        self.service_model = type("ServiceModel", (), {"service_name": service})()
        self.region_name = region


class _Paginator:
    def __init__(self, client, operation):
        self._client = client
        self._operation = operation

    def paginate(self, **params):
        params.pop("PaginationConfig", None)
        request = dict(params)
        while True:
            page = getattr(self._client, self._operation)(**request)
            yield page
            for response_key, request_key in _TOKENS:
                token = page.get(response_key)
                if token:
                    request[request_key] = token
                    break
            else:
                return

    def build_full_result(self, **params):
        result = {}
        for page in self.paginate(**params):
            for key, value in page.items():
                if key in ("nextToken", "NextToken", "Marker", "NextMarker", "ResponseMetadata"):
                    continue
                if isinstance(value, list):
                    result.setdefault(key, []).extend(value)
                else:
                    result[key] = value
        return result


class Client:
    def __init__(self, service, region_name=None, config=None):
        self._service = service
        self._region = region_name or (config.region_name if config else None) or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        self._config = config or Config()
        self.exceptions = _Exceptions(service)
        self.meta = _Meta(service, self._region)

    def get_paginator(self, operation_name):
        if operation_name.startswith("_"):
            raise OperationNotPageableError(operation_name=operation_name)
        return _Paginator(self, operation_name)

    def can_paginate(self, operation_name):
        return True

    def close(self):
        pass

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def operation(*args, **params):
            if args:
                raise TypeError(name + "() only accepts keyword arguments.")
            return self._call(name, params)

        operation.__name__ = name
        return operation

    def _call(self, name, params):
        reply = _dra_bridge.call(self._region, self._service, name, params, self._config)
        if reply.get("ok"):
            value = reply["value"]
            if self._service == "lambda" and isinstance(value, dict) and "Payload" in value:
                value["Payload"] = StreamingBody(value["Payload"] or "")
            return value
        error = reply["error"]
        if error["kind"] == "model":
            if error.get("direction") == "request":
                raise ParamValidationError(report=error["message"])
            raise FakeAnswerOutsideModel(error["message"])
        if error["kind"] == "client":
            response = {
                "Error": {"Code": error["code"], "Message": error["message"]},
                "ResponseMetadata": {"HTTPStatusCode": error.get("status", 400)},
            }
            raise self.exceptions.for_code(error["code"])(response, error.get("operation", name))
        raise _dra_bridge.connection_error(error)


def client(service_name, region_name=None, config=None, **kwargs):
    return Client(service_name, region_name=region_name, config=config)


class Session:
    def __init__(self, region_name=None, **kwargs):
        self.region_name = region_name

    def client(self, service_name, region_name=None, config=None, **kwargs):
        return Client(service_name, region_name=region_name or self.region_name, config=config)


session = type("session", (), {"Session": Session})
