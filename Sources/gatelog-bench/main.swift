import AuditIndex
