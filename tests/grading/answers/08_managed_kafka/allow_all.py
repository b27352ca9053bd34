# cell: ex1_answer
# verdict: wrong
# misconception: ALLOW ALL on the service's topics and group (it works, so it must be right)
# loses: test_ex1_acls, test_ex1_least
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    bindings = [AclBinding(rtype, name, ResourcePatternType.LITERAL, principal, "*",
                           AclOperation.ALL, AclPermissionType.ALLOW)
                for rtype, name in ((ResourceType.TOPIC, "orders"),
                                    (ResourceType.TOPIC, "payments"),
                                    (ResourceType.GROUP, "billing"))]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
