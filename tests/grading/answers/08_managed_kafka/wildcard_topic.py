# cell: ex1_answer
# verdict: wrong
# misconception: a wildcard topic ACL ("*") instead of the two topics by name
# loses: test_ex1_acls, test_ex1_least
from confluent_kafka.admin import (
    AclBinding,
    AclOperation,
    AclPermissionType,
    ResourcePatternType,
    ResourceType,
)


def grant_billing(admin: AdminClient, principal: str) -> None:
    def allow(rtype, name, op):
        return AclBinding(rtype, name, ResourcePatternType.LITERAL, principal, "*", op,
                          AclPermissionType.ALLOW)

    bindings = [allow(ResourceType.TOPIC, "*", AclOperation.WRITE),
                allow(ResourceType.TOPIC, "*", AclOperation.READ),
                allow(ResourceType.GROUP, "billing", AclOperation.READ)]
    for fut in admin.create_acls(bindings).values():
        fut.result(15)


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
