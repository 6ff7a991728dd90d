"""PyKMIP's client (Debian python3-pykmip) driving a Kekvault KMS: one key's whole life.

Usage: client_lifecycle.py HOST PORT CERT KEY CA NAME KMIP_VERSION(1.2|1.4|2.0)
Prints one JSON object with what each step returned, for the Java test to check.
"""
import json
import logging
import sys

from kmip.core import enums
from kmip.core.factories import attributes as attribute_factory
from kmip.pie.client import ProxyKmipClient
from kmip.pie.exceptions import KmipOperationFailure

logging.disable(logging.CRITICAL)

host, port, cert, key, ca, name, version = sys.argv[1:8]
versions = {"1.2": enums.KMIPVersion.KMIP_1_2, "1.4": enums.KMIPVersion.KMIP_1_4, "2.0": enums.KMIPVersion.KMIP_2_0}
out = {}


def failure(e):
    return {"status": str(e.status), "reason": str(e.reason), "message": e.message}


params = {
    "block_cipher_mode": enums.BlockCipherMode.CBC,
    "padding_method": enums.PaddingMethod.PKCS5,
    "cryptographic_algorithm": enums.CryptographicAlgorithm.AES,
}

with ProxyKmipClient(hostname=host, port=int(port), cert=cert, key=key, ca=ca,
                     ssl_version="PROTOCOL_SSLv23", config_file="/dev/null",
                     kmip_version=versions[version]) as client:
    uid = client.create(enums.CryptographicAlgorithm.AES, 256, name=name,
                        cryptographic_usage_mask=[enums.CryptographicUsageMask.ENCRYPT,
                                                  enums.CryptographicUsageMask.DECRYPT])
    out["created"] = uid
    client.activate(uid)
    factory = attribute_factory.AttributeFactory()
    out["located"] = client.locate(attributes=[factory.create_attribute(enums.AttributeType.NAME, name)])
    got_uid, attributes = client.get_attributes(
        uid, ["State", "Cryptographic Algorithm", "Cryptographic Length", "Name"])
    out["attributes_uid"] = got_uid
    out["attributes"] = {}
    for a in attributes:
        value = a.attribute_value
        if hasattr(value, "name_value"):
            value = value.name_value.value
        elif hasattr(value, "value"):
            value = value.value
        out["attributes"][a.attribute_name.value] = str(value)
    plaintext = bytes(range(32))
    ciphertext, iv = client.encrypt(plaintext, uid=uid, cryptographic_parameters=dict(params, random_iv=True))
    out["ciphertext_len"] = len(ciphertext)
    out["iv_len"] = len(iv) if iv else 0
    out["ciphertext_differs"] = ciphertext[:32] != plaintext
    out["round_trip"] = client.decrypt(ciphertext, uid=uid, cryptographic_parameters=params,
                                       iv_counter_nonce=iv) == plaintext
    try:
        client.get(uid)
        out["get"] = "returned the key"
    except KmipOperationFailure as e:
        out["get"] = failure(e)
    client.revoke(enums.RevocationReasonCode.CESSATION_OF_OPERATION, uid)
    _, after_revoke = client.get_attributes(uid, ["State"])
    out["state_after_revoke"] = str(after_revoke[0].attribute_value.value)
    client.destroy(uid)
    _, after_destroy = client.get_attributes(uid, ["State"])
    out["state_after_destroy"] = str(after_destroy[0].attribute_value.value)
    out["located_after_destroy"] = client.locate(
        attributes=[factory.create_attribute(enums.AttributeType.NAME, name)])

print(json.dumps(out))
