# cell: ex1_answer
# verdict: wrong
# misconception: the consumer group is granted with the TOPIC resource type (READ on a topic named "billing"): a group
#   is its own resource type (GROUP), so joining group billing is still refused
# loses: test_ex1_acls, test_ex1_works
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    bindings = [AclBinding(ResourceType.TOPIC, name, ResourcePatternType.LITERAL, principal, "*",
                           op, AclPermissionType.ALLOW)
                for name, op in (("orders", AclOperation.WRITE), ("payments", AclOperation.READ),
                                 ("billing", AclOperation.READ))]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
