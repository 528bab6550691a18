namespace EquipmentTwin.Storage.Sqlite;

/// <summary>The database holds an older telemetry layout that <c>twin store migrate</c> converts.</summary>
public sealed class StoreMigrationRequiredException(string message) : InvalidOperationException(message);
