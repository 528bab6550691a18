namespace EquipmentTwin.Edge.Sources;

/// <summary>A source of vendor log lines: runs until cancelled, handing parsed chunks to the batcher.</summary>
public interface IEdgeSource
{
    Task RunAsync(CancellationToken ct);
}
