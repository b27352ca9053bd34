# cell: ex1_answer
# verdict: wrong
# misconception: the ACL's host is the cluster's address (taken from bootstrap.servers), not the client host the
#   ACL admits ("*" = any): the ACLs only match clients connecting from 127.0.0.1, so the service works here,
#   where everything runs on one machine, and is refused from any other machine (Confluent Cloud accepts only "*")
# loses: test_ex1_acls
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    broker_host = read_client_properties(ops_props)["bootstrap.servers"].split(",")[0].rsplit(":", 1)[0]
    bindings = [
        AclBinding(ResourceType.TOPIC, "orders", ResourcePatternType.LITERAL, principal,
                   broker_host, AclOperation.WRITE, AclPermissionType.ALLOW),
        AclBinding(ResourceType.TOPIC, "payments", ResourcePatternType.LITERAL, principal,
                   broker_host, AclOperation.READ, AclPermissionType.ALLOW),
        AclBinding(ResourceType.GROUP, "billing", ResourcePatternType.LITERAL, principal,
                   broker_host, AclOperation.READ, AclPermissionType.ALLOW),
    ]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
