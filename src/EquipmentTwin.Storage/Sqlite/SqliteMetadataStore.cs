using Microsoft.Data.Sqlite;

namespace EquipmentTwin.Storage.Sqlite;

/// <summary>
/// Base of the small metadata stores (audit trail, labels, model registry): a pooled connection per call to one SQLite
/// file, the table created when the store opens, and writes serialised so multi-statement changes never interleave.
/// </summary>
public abstract class SqliteMetadataStore : IDisposable
{
    private readonly string _connectionString;
    private bool _disposed;

    /// <summary>Opens <paramref name="databasePath"/> and runs <paramref name="schema"/> (idempotent DDL) on it.</summary>
    protected SqliteMetadataStore(string databasePath, string schema)
    {
        Path = databasePath;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = schema;
        cmd.ExecuteNonQuery();
    }

    public string Path { get; }

    /// <summary>Held by every write.</summary>
    protected SemaphoreSlim WriteLock { get; } = new(1, 1);

    protected SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        return c;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
        WriteLock.Dispose();
    }
}
