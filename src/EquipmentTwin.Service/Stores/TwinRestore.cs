using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.Extensions.Hosting;

namespace EquipmentTwin.Service.Stores;

/// <summary>Fills the twin registry from the store at start, before ingest and analytics start (registered first).</summary>
public sealed class TwinRestore(TwinRegistry twins, ITelemetryStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        twins.Restore(await store.LoadDevicesAsync(cancellationToken).ConfigureAwait(false));

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
