namespace EquipmentTwin.Storage.Models;

/// <summary>
/// The versions of every model with their provenance, validation figures and state. A kind has at most one
/// champion; promoting a version retires the champion it replaces in the same transaction.
/// </summary>
public interface IModelRegistry
{
    /// <summary>Every version, of one kind or of all, newest first within a kind.</summary>
    Task<IReadOnlyList<ModelRecord>> ListAsync(string? kind, CancellationToken cancellationToken);

    Task<ModelRecord?> FindAsync(string kind, int version, CancellationToken cancellationToken);

    Task<ModelRecord?> ChampionAsync(string kind, CancellationToken cancellationToken);

    /// <summary>Adds a version; one already there (same kind and version) is kept as it is and returned.</summary>
    Task<ModelRecord> RegisterAsync(ModelRecord record, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="version"/> the champion of its kind; the champion it replaces is retired with a reason naming it.</summary>
    Task<ModelRecord> PromoteAsync(string kind, int version, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Retires the champion and makes the most recent earlier champion of the kind champion again; null when there is none to return to.</summary>
    Task<(ModelRecord Retired, ModelRecord Restored)?> RollbackAsync(string kind, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Sets a candidate's state (candidate or retired) and reason, keeping its figures.</summary>
    Task<ModelRecord> SetStateAsync(string kind, int version, ModelState state, string actor, string reason, DateTimeOffset now, CancellationToken cancellationToken);
}
