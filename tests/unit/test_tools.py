"""Kafka's Java tools get the course's client security settings in the Java spelling."""

from __future__ import annotations

import pytest

from kafkalab.tools import java_client_config

pytestmark = pytest.mark.unit


def test_sasl_ssl_settings_become_a_jaas_line_and_a_pem_trust_store() -> None:
    conf = java_client_config({"security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN",
                               "sasl.username": "key", "sasl.password": "secret",
                               "ssl.ca.location": "/tmp/ca.pem"})
    assert conf["security.protocol"] == "SASL_SSL" and conf["sasl.mechanism"] == "PLAIN"
    assert conf["sasl.jaas.config"] == ('org.apache.kafka.common.security.plain.PlainLoginModule'
                                        ' required username="key" password="secret";')
    assert conf["ssl.truststore.type"] == "PEM"
    assert conf["ssl.truststore.location"] == "/tmp/ca.pem"
    assert not {"sasl.mechanisms", "sasl.username", "sasl.password", "ssl.ca.location"} & set(conf)


def test_scram_uses_the_scram_login_module_and_plaintext_stays_empty() -> None:
    conf = java_client_config({"sasl.mechanisms": "SCRAM-SHA-512", "sasl.username": "u",
                               "sasl.password": "p"})
    assert conf["sasl.jaas.config"].startswith(
        "org.apache.kafka.common.security.scram.ScramLoginModule required")
    assert java_client_config({}) == {}
