namespace EquipmentTwin.Storage.Models;

/// <summary>A registry change that cannot be made: the version is not known, or the change does not apply to its state.</summary>
public sealed class ModelRegistryException(string message, bool notFound) : Exception(message)
{
    public bool NotFound { get; } = notFound;
}
