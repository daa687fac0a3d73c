"""The botocore exceptions step scripts catch, with botocore's messages."""


class BotoCoreError(Exception):
    fmt = "An unspecified error occurred"

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        super().__init__(self.fmt.format(**kwargs))


class EndpointConnectionError(BotoCoreError):
    fmt = 'Could not connect to the endpoint URL: "{endpoint_url}"'


class ConnectionError(BotoCoreError):  # noqa: A001 - botocore's own name
    fmt = "An HTTP Client failed to establish a connection: {error}"


class ConnectTimeoutError(BotoCoreError):
    fmt = 'Connect timeout on endpoint URL: "{endpoint_url}"'


class ReadTimeoutError(BotoCoreError):
    fmt = 'Read timeout on endpoint URL: "{endpoint_url}"'


class ParamValidationError(BotoCoreError):
    fmt = "Parameter validation failed:\n{report}"


class NoCredentialsError(BotoCoreError):
    fmt = "Unable to locate credentials"


class OperationNotPageableError(BotoCoreError):
    fmt = "Operation cannot be paginated: {operation_name}"


class ClientError(Exception):
    MSG_TEMPLATE = "An error occurred ({error_code}) when calling the {operation_name} operation: {error_message}"

    def __init__(self, error_response, operation_name):
        error = error_response.get("Error", {})
        super().__init__(
            self.MSG_TEMPLATE.format(
                error_code=error.get("Code", "Unknown"),
                operation_name=operation_name,
                error_message=error.get("Message", "Unknown"),
            )
        )
        self.response = error_response
        self.operation_name = operation_name
