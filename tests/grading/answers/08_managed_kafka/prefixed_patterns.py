# cell: ex1_answer
# verdict: wrong
# misconception: PREFIXED patterns "to be safe" (they also grant every topic and group that
#   starts with the name: orders-archive, billing-test...)
# loses: test_ex1_acls
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    def allow(rtype, name, op):
        return AclBinding(rtype, name, ResourcePatternType.PREFIXED, principal, "*", op,
                          AclPermissionType.ALLOW)

    bindings = [allow(ResourceType.TOPIC, "orders", AclOperation.WRITE),
                allow(ResourceType.TOPIC, "payments", AclOperation.READ),
                allow(ResourceType.GROUP, "billing", AclOperation.READ)]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
