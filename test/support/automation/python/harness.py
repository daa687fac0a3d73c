"""
Runs aws:executeScript step scripts for the runbook executor (test/support/automation/python-worker.ts).

One process serves one automation execution. Node writes JSON lines on stdin
(run, reply, abort); this process writes JSON lines on fd 3 (call, sleep,
done). A step's print() output is captured and returned with its result.
time.time/sleep and datetime.now follow the fake world's simulated clock:
time.sleep asks Node to advance it instead of sleeping.
"""
import contextlib
import datetime as _dt
import io
import json
import os
import sys
import time
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

_channel = os.fdopen(3, "w", buffering=1)
_state = {"now": 0.0}
_real_datetime = _dt.datetime


class StepAbort(BaseException):
    """Raised into a script when its step timed out; BaseException so `except Exception` does not swallow it."""


class SimDatetime(_real_datetime):
    @classmethod
    def now(cls, tz=None):
        value = _real_datetime.fromtimestamp(_state["now"], _dt.timezone.utc)
        value = cls.combine(value.date(), value.timetz())
        return value.astimezone(tz) if tz is not None else value.replace(tzinfo=None)

    @classmethod
    def utcnow(cls):
        return cls.now(_dt.timezone.utc).replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()


class SimDate(_dt.date):
    @classmethod
    def today(cls):
        return SimDatetime.now().date()


def _encode(value):
    if isinstance(value, _real_datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return {"__dt__": value.isoformat()}
    if isinstance(value, _dt.date):
        return {"__dt__": value.isoformat()}
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, tuple)):
        return list(value)
    if hasattr(value, "read"):
        return _encode(value.read())
    raise TypeError("Object of type " + type(value).__name__ + " is not JSON serializable")


def _result_encode(value):
    if isinstance(value, (_real_datetime, _dt.date)):
        return value.isoformat()
    return _encode(value)


def _decode(obj):
    if len(obj) == 1 and "__dt__" in obj:
        return SimDatetime.fromisoformat(obj["__dt__"])
    return obj


def _send(message):
    _channel.write(json.dumps(message, default=_encode) + "\n")
    _channel.flush()


def _receive():
    line = sys.stdin.readline()
    if not line:
        os._exit(0)
    message = json.loads(line, object_hook=_decode)
    if "now" in message:
        _state["now"] = float(message["now"])
    if message.get("t") == "abort":
        raise StepAbort(message.get("reason", "aborted"))
    return message


def _attempts(config):
    retries = getattr(config, "retries", None) or {}
    if "total_max_attempts" in retries:
        return int(retries["total_max_attempts"])
    if "max_attempts" in retries:
        return int(retries["max_attempts"]) + 1
    return 5 if retries.get("mode", "legacy") == "legacy" else 3


def _call(region, service, operation, params, config):
    _send(
        {
            "t": "call",
            "region": region,
            "service": service,
            "operation": operation,
            "params": params,
            "connectTimeout": getattr(config, "connect_timeout", 60),
            "readTimeout": getattr(config, "read_timeout", 60),
            "attempts": _attempts(config),
        }
    )
    return _receive()


def _connection_error(error):
    from botocore import exceptions

    endpoint = error.get("endpoint", "")
    kind = error.get("kind")
    if kind == "connect-timeout":
        return exceptions.ConnectTimeoutError(endpoint_url=endpoint)
    if kind == "read-timeout":
        return exceptions.ReadTimeoutError(endpoint_url=endpoint)
    return exceptions.EndpointConnectionError(endpoint_url=endpoint)


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    _send({"t": "sleep", "seconds": float(seconds)})
    _receive()


bridge = types.ModuleType("_dra_bridge")
bridge.call = _call
bridge.connection_error = _connection_error
sys.modules["_dra_bridge"] = bridge

time.time = lambda: _state["now"]
time.time_ns = lambda: int(_state["now"] * 1e9)
time.monotonic = lambda: _state["now"]
time.sleep = _sleep
_real_gmtime, _real_localtime = time.gmtime, time.localtime
time.gmtime = lambda secs=None: _real_gmtime(_state["now"] if secs is None else secs)
time.localtime = lambda secs=None: _real_localtime(_state["now"] if secs is None else secs)
_dt.datetime = SimDatetime
_dt.date = SimDate


def _run(message):
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = message["region"]
    log = io.StringIO()
    try:
        with contextlib.redirect_stdout(log):
            module = types.ModuleType("step_" + message["name"])
            exec(compile(message["script"], message["name"] + ".py", "exec"), module.__dict__)
            handler = message["handler"].rsplit(".", 1)[-1]
            if not callable(module.__dict__.get(handler)):
                raise NameError("Handler " + message["handler"] + " is not a function defined by the script")
            result = module.__dict__[handler](message["events"], message.get("context"))
        encoded = json.loads(json.dumps(result, default=_result_encode))
        _send({"t": "done", "ok": True, "result": encoded, "log": log.getvalue()})
    except StepAbort as abort:
        _send({"t": "done", "ok": False, "aborted": str(abort), "log": log.getvalue()})
    except (Exception, SystemExit) as error:  # the step failed: report it like SSM does, type and message
        _send(
            {
                "t": "done",
                "ok": False,
                "error": type(error).__name__ + ": " + str(error),
                "traceback": traceback.format_exc(limit=-3),
                "log": log.getvalue(),
            }
        )


_send({"t": "ready"})
while True:
    try:
        request = _receive()
    except StepAbort:
        continue
    if request.get("t") == "run":
        _run(request)
    elif request.get("t") == "exit":
        break
