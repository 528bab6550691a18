using System.Text.RegularExpressions;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Testing;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public partial class FilesModeTests
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\|(PARAM\|[a-z0-9_]+\|-?[0-9.E+-]+\|[^|]*|EVENT\|MR-[A-Z0-9]+-\d{3}\|(INFO|WARN|ERR|CRIT)\|[^|]*)$")]
    private static partial Regex Pipe();

    [GeneratedRegex("""^\[\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}\.\d{3}\] (PAR [a-z0-9_]+=-?[0-9.E+-]+( \S+)?|EVT CT-[A-Z0-9]+-\d{3} (INFO|WARN|ERR|CRIT) "([^"\\]|\\.)*")$""")]
    private static partial Regex Bracket();

    [GeneratedRegex(@"^\d{13};(P;[a-z0-9_]+;-?[0-9.E+-]+;[^;]*;;|E;XR-[A-Z0-9]+-\d{3};;;[IWEC];.*)$")]
    private static partial Regex Csv();

    [Fact]
    public void Each_modality_writes_its_own_vendor_format_with_nameplate_and_maintenance()
    {
        using var dir = new TempDirectory("sim-files");
        var fleet = Fleet(Device("mr1", Modality.Mri), Device("ct1", Modality.Ct, [Fault("ct-detector-cooling-failure", 0.2, 0.5, Fleets.RepairKind.Repair, 2)]), Device("xr1", Modality.Xray, mobile: true));
        var sim = Sim(fleet, days: 1);
        long records = 0;
        using (var writer = new VendorLogWriter(dir.Path, Catalog, sim.Devices))
        {
            foreach (var step in sim.Run())
            {
                records += step.Records.Count;
                writer.Write(step);
            }

            Assert.Equal(records, writer.LinesWritten);
        }

        var day = "2026-01-05.log";
        AssertAllMatch(Path.Combine(dir.Path, "site1", "mr1", day), Pipe(), header: false);
        AssertAllMatch(Path.Combine(dir.Path, "site1", "ct1", day), Bracket(), header: false);
        AssertAllMatch(Path.Combine(dir.Path, "site1", "xr1", day), Csv(), header: true);

        var nameplate = WireCodec.DecodeNameplate(new System.Buffers.ReadOnlySequence<byte>(File.ReadAllBytes(Path.Combine(dir.Path, "site1", "ct1", "nameplate.json"))), WireLimits.Default);
        Assert.True(nameplate.IsValid);
        Assert.Equal(Modality.Ct, nameplate.Value.Modality);

        var maintenance = File.ReadAllLines(Path.Combine(dir.Path, "site1", "ct1", "maintenance.jsonl"));
        Assert.Contains(maintenance, l => WireCodec.DecodeMaintenance(new System.Buffers.ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(l)), WireLimits.Default).Value?.Component == "detector");
    }

    [Fact]
    public void The_sample_vendor_logs_in_seeds_follow_their_grammar()
    {
        AssertAllMatch(Path.Combine(Seeds, "samples", "mri-pipe.log"), Pipe(), header: false);
        AssertAllMatch(Path.Combine(Seeds, "samples", "ct-bracket.log"), Bracket(), header: false);
        AssertAllMatch(Path.Combine(Seeds, "samples", "xray-csv.log"), Csv(), header: true);
    }

    private static void AssertAllMatch(string file, Regex grammar, bool header)
    {
        var lines = File.ReadAllLines(file);
        Assert.True(lines.Length > 100, $"{file}: only {lines.Length} lines");
        foreach (var line in lines.Skip(header ? 1 : 0))
        {
            Assert.True(grammar.IsMatch(line), $"{Path.GetFileName(file)}: '{line}'");
        }

        if (header)
        {
            Assert.Equal("epoch_ms;type;name;value;unit;severity;text", lines[0]);
        }
    }
}
