# cell: ex1_answer
# verdict: correct
# The lesson's own helpers, one grant per resource, plus DESCRIBE on the two topics (which
# WRITE and READ already imply): still exactly what the service needs.
def grant_billing(admin: AdminClient, principal: str) -> None:
    grant(admin, [acl(principal, "TOPIC", "orders", "WRITE"),
                  acl(principal, "TOPIC", "orders", "DESCRIBE")])
    grant(admin, [acl(principal, "TOPIC", "payments", "READ"),
                  acl(principal, "TOPIC", "payments", "DESCRIBE")])
    grant(admin, [acl(principal, "GROUP", "billing", "READ")])


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
