"""Gateway responses through the apigateway API, against AWS-recorded answers (localstack
tests/aws/services/apigateway/test_apigateway_api.snapshot.json: test_gateway_response_crud,
test_gateway_response_validation, test_update_gateway_response), and served after the next deployment."""

from __future__ import annotations

import requests

from ..cognito.helpers import error_of
from ..support import start_server, stop_server
from .test_tutorial import apigateway

DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}


def test_gateway_responses() -> None:
    server = start_server("--no-demo")
    try:
        apigw = apigateway(server.url)
        api = apigw.create_rest_api(name="Responses")
        api_id = api["id"]
        default = apigw.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
        del default["ResponseMetadata"]
        assert default == {"defaultResponse": True, "responseParameters": {}, "responseTemplates": DEFAULT_TEMPLATE,
                           "responseType": "MISSING_AUTHENTICATION_TOKEN", "statusCode": "403"}
        listed = apigw.get_gateway_responses(restApiId=api_id)["items"]
        assert len(listed) == 21 and listed[0]["responseType"] == "ACCESS_DENIED"
        assert all(item["defaultResponse"] for item in listed)
        err = error_of(apigw.delete_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX")
        assert (err.status, err.code, err.message) == (404, "NotFoundException",
                                                         "Gateway response type not defined on api")
        err = error_of(apigw.get_gateway_responses, restApiId="fake-api-id")
        assert err.message == "Invalid API identifier specified 000000000000:fake-api-id"

        not_set = apigw.update_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
            {"op": "replace", "path": "/statusCode", "value": "444"}])
        assert (not_set["statusCode"], not_set["defaultResponse"], not_set["responseTemplates"]) == (
            "444", False, DEFAULT_TEMPLATE)
        cases = [({"op": "add", "path": "/statusCode", "value": "444"}, "Invalid patch path /statusCode"),
                 ({"op": "replace", "path": "/wrongPath", "value": "x"}, "Invalid patch path /wrongPath")]
        for patch, message in cases:
            err = error_of(apigw.update_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX",
                           patchOperations=[patch])
            assert (err.status, err.code, err.message) == (400, "BadRequestException", message)
        err = error_of(apigw.update_gateway_response, restApiId=api_id, responseType="DEFAULT_4XX", patchOperations=[
            {"op": "replace", "path": "/responseParameters/gatewayresponse.header.Nope", "value": "'x'"}])
        assert (err.status, err.code, err.message) == (404, "NotFoundException", "Invalid parameter name specified")

        put = apigw.put_gateway_response(
            restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN", statusCode="404",
            responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'"},
            responseTemplates={"application/json": '{"missing": true}'})
        assert put["ResponseMetadata"]["HTTPStatusCode"] == 201
        assert (put["statusCode"], put["defaultResponse"]) == ("404", False)

        apigw.put_method(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET",
                         authorizationType="NONE")
        apigw.put_integration(restApiId=api_id, resourceId=api["rootResourceId"], httpMethod="GET", type="MOCK")
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        answer = requests.get(f"{server.url}/restapis/{api_id}/prod/_user_request_/nothing-here", timeout=15)
        assert (answer.status_code, answer.json()) == (404, {"missing": True})
        assert answer.headers["Access-Control-Allow-Origin"] == "a.b.c"
        apigw.delete_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
        still = requests.get(f"{server.url}/restapis/{api_id}/prod/_user_request_/nothing-here", timeout=15)
        assert still.status_code == 404  # the stage serves its deployment until the next one
        apigw.create_deployment(restApiId=api_id, stageName="prod")
        after = requests.get(f"{server.url}/restapis/{api_id}/prod/_user_request_/nothing-here", timeout=15)
        # without its own override the type falls back to the API's DEFAULT_4XX (status 444, set above)
        assert (after.status_code, after.json()) == (444, {"message": "Missing Authentication Token"})
    finally:
        stop_server(server)
