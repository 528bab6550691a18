using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Output;
using EquipmentTwin.Simulator.Simulation;
using EquipmentTwin.Testing;
using static EquipmentTwin.Simulator.Tests.TestFleets;

namespace EquipmentTwin.Simulator.Tests;

public class DeterminismTests
{
    private static Fleets.FleetDefinition MixedFleet() => Fleet(
        Device("mr1", Modality.Mri, [Fault("mri-chiller-degradation", 0.5, 1)]),
        Device("ct1", Modality.Ct, [Fault("ct-tube-arcing", -20, 25)]),
        Device("xr1", Modality.Xray, [Fault("sensor-xray-detector-temp-dropout", 0.2, 1)], mobile: true));

    [Fact]
    public void Same_seed_gives_byte_identical_output()
    {
        Assert.Equal(Hash(Sim(MixedFleet(), 3, seed: 7)), Hash(Sim(MixedFleet(), 3, seed: 7)));
    }

    [Fact]
    public void Different_seed_gives_different_output()
    {
        Assert.NotEqual(Hash(Sim(MixedFleet(), 2, seed: 7)), Hash(Sim(MixedFleet(), 2, seed: 8)));
    }

    [Fact]
    public void Parallel_and_sequential_runs_give_the_same_output()
    {
        Assert.Equal(Hash(Sim(MixedFleet(), 2, parallelism: 1)), Hash(Sim(MixedFleet(), 2, parallelism: 4)));
    }

    [Fact]
    public void Same_seed_gives_byte_identical_vendor_log_files_and_ground_truth()
    {
        using var a = new TempDirectory("sim-files");
        using var b = new TempDirectory("sim-files");
        foreach (var dir in new[] { a.Path, b.Path })
        {
            var sim = Sim(MixedFleet(), 1, seed: 3);
            using (var writer = new VendorLogWriter(dir, Catalog, sim.Devices))
            {
                foreach (var step in sim.Run())
                {
                    writer.Write(step);
                }
            }

            GroundTruthWriter.Write(sim.GroundTruth, Path.Combine(dir, "ground-truth.json"));
        }

        var files = Directory.GetFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 10);
        Assert.Equal(files, Directory.GetFiles(b.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order(StringComparer.Ordinal));
        foreach (var f in files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a.Path, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Path, f))), f);
        }
    }

    [Fact]
    public void Device_seed_does_not_depend_on_the_process()
    {
        // FNV-1a, not string.GetHashCode (randomized per process): pinned values.
        Assert.Equal(0xcbf29ce484222325UL, StableHash.Fnv1a64(""));
        Assert.Equal(0xaf63df4c8601f1a5UL, StableHash.Fnv1a64("b"));
    }

    [Fact]
    public void Records_are_sorted_and_inside_their_tick()
    {
        var sim = Sim(MixedFleet(), 3);
        foreach (var step in sim.Run())
        {
            var last = long.MinValue;
            foreach (var r in step.Records)
            {
                Assert.InRange(r.TimestampMs, step.FromMs, step.ToMs - 1);
                Assert.True(r.TimestampMs >= last, $"{step.Device.Id} out of order at {r.Timestamp:O}");
                last = r.TimestampMs;
            }
        }
    }
}
