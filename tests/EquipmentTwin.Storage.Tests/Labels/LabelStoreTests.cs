using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Storage.Labels;
using EquipmentTwin.Testing;

namespace EquipmentTwin.Storage.Tests.Labels;

public sealed class LabelStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new("labels");

    private static readonly Label[] Sample =
    [
        new(Label.FalseAlarm, "mri-1", "cold_head", T0.AddDays(-3).ToUnixTimeMilliseconds(), T0.AddDays(-2).ToUnixTimeMilliseconds(), "mri-1/cold-head/1", "ana", T0, "api", "sensor cable loose, \"again\""),
        Label.FromMaintenance("ct-2", new MaintenanceRecord(T0.AddDays(-1).ToUnixTimeMilliseconds(), "anode_bearing", MaintenanceAction.Replace, "bearing noise", "bo"), T0, "maintenance record"),
        Label.FromMaintenance("ct-2", new MaintenanceRecord(T0.ToUnixTimeMilliseconds(), "tube", MaintenanceAction.NoFaultFound, null, null), T0, "maintenance record"),
    ];

    [Fact]
    public async Task Labels_are_deduplicated_exactly_and_survive_a_csv_round_trip()
    {
        using var store = new SqliteLabelStore(Path.Combine(_dir.Path, "twin.db"));
        Assert.Equal(3, await store.AddAsync(Sample, default));
        Assert.Equal(0, await store.AddAsync(Sample, default));
        var stored = await store.ListAsync(null, default);
        Assert.Equal([Label.FalseAlarm, Label.ConfirmedFault, Label.NoFault], stored.Select(l => l.Kind));
        Assert.Equal(("bo", "replace: bearing noise"), (stored[1].Who, stored[1].Comment));
        Assert.Equal("unknown", stored[2].Who);

        var csv = Path.Combine(_dir.Path, "labels.csv");
        await File.WriteAllTextAsync(csv, LabelCsv.Write(stored));
        var read = LabelCsv.Read(csv, "csv", T0.AddDays(1));
        Assert.Equal(stored, read);
    }

    [Fact]
    public async Task A_bad_label_row_names_file_line_and_column()
    {
        var csv = Path.Combine(_dir.Path, "bad.csv");
        await File.WriteAllTextAsync(csv, "kind,device,component,at,until,alert,who,recorded_at,source,comment\nfalse-alarm,mri-1,cold_head,2026-11-01T00:00:00Z,,,ana,,,\nfalse-alarm,mri-1,cold_head,yesterday,,,ana,,,\n");
        var ex = Assert.Throws<InvalidDataException>(() => LabelCsv.Read(csv, "csv", T0));
        Assert.Equal($"{csv}: line 3, column 4 (at): 'yesterday' is not an RFC 3339 time", ex.Message);

        await File.WriteAllTextAsync(csv, "kind,device,component,at,until,alert,who,recorded_at,source,comment\nbroken,mri-1,cold_head,2026-11-01T00:00:00Z,,,ana,,,\n");
        Assert.Contains("line 2, column 1 (kind): 'broken' is not one of", Assert.Throws<InvalidDataException>(() => LabelCsv.Read(csv, "csv", T0)).Message);
        await File.WriteAllTextAsync(csv, "kind,device,component,at,until,alert,who,recorded_at,source,comment\nfalse-alarm,mri-1,cold_head,2026-11-01T00:00:00Z,,,,,,\n");
        Assert.Contains("line 2, column 7 (who): must not be empty", Assert.Throws<InvalidDataException>(() => LabelCsv.Read(csv, "csv", T0)).Message);
    }

    public void Dispose() => _dir.Dispose();
}
