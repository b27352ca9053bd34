"""ACLs with the admin API: build one, grant several, list those naming a principal."""

from __future__ import annotations

from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
)


def acl(principal: str, resource: str, name: str, operation: str,
        pattern: str = "LITERAL") -> AclBinding:
    """ALLOW ``operation`` ("WRITE", "READ", ...) on the ``resource`` ("TOPIC", "GROUP",
    "CLUSTER") called ``name`` for ``principal`` ("User:<key>"), from any host. The cluster
    resource is named "kafka-cluster" (confluent-kafka calls its type BROKER)."""
    rtype = ResourceType.BROKER if resource == "CLUSTER" else ResourceType[resource]
    return AclBinding(rtype, name, ResourcePatternType[pattern], principal,
                      "*", AclOperation[operation], AclPermissionType.ALLOW)


def grant(admin: AdminClient, bindings: list[AclBinding], timeout: float = 15.0) -> None:
    """Create the ACLs and wait until the controller accepted each."""
    for fut in admin.create_acls(bindings, request_timeout=timeout).values():
        fut.result(timeout)


def acls_of(admin: AdminClient, principal: str,
            timeout: float = 15.0) -> list[tuple[str, str, str, str, str, str]]:
    """Every ACL naming ``principal``, as sorted (resource, name, pattern, operation,
    permission, host) tuples of names (host "*": from any host)."""
    found = admin.describe_acls(AclBindingFilter(
        ResourceType.ANY, None, ResourcePatternType.ANY, principal, None, AclOperation.ANY,
        AclPermissionType.ANY), request_timeout=timeout).result(timeout)
    return sorted((b.restype.name, b.name, b.resource_pattern_type.name, b.operation.name,
                   b.permission_type.name, b.host) for b in found)
