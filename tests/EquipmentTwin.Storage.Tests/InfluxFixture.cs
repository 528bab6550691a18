using EquipmentTwin.Testing;

namespace EquipmentTwin.Storage.Tests;

/// <summary>One influxd for the tests of a class; each test writes to a database of its own.</summary>
public sealed class InfluxFixture : IAsyncLifetime
{
    public InfluxServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await InfluxServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
