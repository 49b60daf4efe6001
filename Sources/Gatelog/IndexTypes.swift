import AuditIndex

/// The index's record location, named apart from `AuditStore.RecordLocation` (both modules
/// define one, and the `AuditIndex` class hides its module's name).
typealias IndexRecordLocation = RecordLocation
