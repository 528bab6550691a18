namespace EquipmentTwin.Testing;

/// <summary>Paths inside the checkout, found from the test binary's folder.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Catalog => Path.Combine(Root, "seeds", "catalog");

    public static string Seeds(params string[] parts) => Path.Combine([Root, "seeds", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EquipmentTwin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EquipmentTwin.sln not found above " + AppContext.BaseDirectory);
    }
}
