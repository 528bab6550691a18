using EquipmentTwin.Testing;

namespace EquipmentTwin.Service.Tests;

/// <summary>
/// The repository's shipped models as the starting point of a registry test: the first version of every kind and
/// modality only, so what the test does next (a copy under the next version, a retrain) gets a known version
/// number however many versions the repository ships.
/// </summary>
internal static class ShippedModels
{
    public static void CopyFirstVersions(string dir)
    {
        var root = Path.Combine(RepoPaths.Root, "models");
        var copied = 0;
        foreach (var file in Directory.EnumerateFiles(root, "v1.*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(dir, Path.GetRelativePath(root, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
            copied++;
        }

        Assert.True(copied > 0, $"no first-version model under {root}");
    }
}
