"""VPC links and client certificates through the apigateway API (boto3 over real HTTP): stored per account and
region, returned, changed, deleted, kept across a restart; a client certificate is a parseable self-signed X.509
certificate valid for a year. No network effect. Texts UNCONFIRMED (see apigw_control/vpclinks.py)."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from ..cognito.helpers import error_of
from ..support import start_server, stop_server
from .test_tutorial import apigateway, write_config


def test_vpc_links_and_client_certificates(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = f"sqlite+aiosqlite:///{tmp_path / 'links.db'}"
    server = start_server("--no-demo", "--config", str(config), database_url=database)
    try:
        apigw = apigateway(server.url)
        target = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/nlb/abc"
        link = apigw.create_vpc_link(name="link", targetArns=[target], description="to the NLB")
        assert (link["name"], link["targetArns"], link["status"]) == ("link", [target], "AVAILABLE")
        renamed = apigw.update_vpc_link(vpcLinkId=link["id"], patchOperations=[
            {"op": "replace", "path": "/name", "value": "renamed"}])
        assert renamed["name"] == "renamed" and renamed["description"] == "to the NLB"
        assert error_of(lambda: apigw.update_vpc_link(vpcLinkId=link["id"], patchOperations=[
            {"op": "replace", "path": "/targetArns", "value": "x"}])).code == "BadRequestException"
        assert error_of(lambda: apigw.get_vpc_link(vpcLinkId="nolink")).code == "NotFoundException"

        certificate = apigw.generate_client_certificate(description="backend mTLS")
        parsed = x509.load_pem_x509_certificate(certificate["pemEncodedCertificate"].encode())
        lifetime = certificate["expirationDate"] - certificate["createdDate"]
        assert 364 <= lifetime.days <= 365 and parsed.issuer == parsed.subject
        assert apigw.update_client_certificate(clientCertificateId=certificate["clientCertificateId"],
                                               patchOperations=[{"op": "replace", "path": "/description",
                                                                 "value": "changed"}])["description"] == "changed"
        assert error_of(lambda: apigw.get_client_certificate(clientCertificateId="nocert")).code == \
            "NotFoundException"
        other = apigateway(server.url, region="eu-west-1")
        assert other.get_vpc_links()["items"] == [] and other.get_client_certificates()["items"] == []
    finally:
        stop_server(server)

    server = start_server("--no-demo", "--config", str(config), database_url=database, port=server.port)
    try:
        apigw = apigateway(server.url)
        assert [item["name"] for item in apigw.get_vpc_links()["items"]] == ["renamed"]
        kept = apigw.get_client_certificates()["items"]
        assert [(c["clientCertificateId"], c["pemEncodedCertificate"]) for c in kept] == [
            (certificate["clientCertificateId"], certificate["pemEncodedCertificate"])]
        apigw.delete_vpc_link(vpcLinkId=link["id"])
        apigw.delete_client_certificate(clientCertificateId=certificate["clientCertificateId"])
        assert apigw.get_vpc_links()["items"] == [] and apigw.get_client_certificates()["items"] == []
    finally:
        stop_server(server)
