using System.CommandLine;
using EquipmentTwin.Storage.Labels;

namespace EquipmentTwin.Cli.Commands;

/// <summary>Options of <c>twin labels export|import</c>.</summary>
public sealed record LabelsOptions(string DataDir, string File);

/// <summary>
/// <c>twin labels export|import</c>: the label set of a store as CSV (docs/models.md): false alarms an engineer
/// marked, confirmed faults and maintenance from maintenance records, and labels imported from elsewhere.
/// </summary>
public static class LabelsCommand
{
    public static Command Create()
    {
        var exportDir = DataDir();
        var output = CliOptions.OutputPath("--out", "the CSV to write", "FILE");
        output.Required = true;
        var export = new Command("export", "Write every label with its provenance as CSV.") { exportDir, output };
        export.SetAction((p, ct) => ExportAsync(new LabelsOptions(p.GetValue(exportDir) ?? "data", p.GetValue(output)!), p.InvocationConfiguration.Output, ct));

        var importDir = DataDir();
        var input = CliOptions.ExistingFile("--in", "a label CSV (header kind,device,component,at,until,alert,who,recorded_at,source,comment)", required: true);
        var import = new Command("import", "Add the labels of a CSV to the store; labels already there are not added twice.") { importDir, input };
        import.SetAction((p, ct) => ImportAsync(new LabelsOptions(p.GetValue(importDir) ?? "data", p.GetValue(input)!), p.InvocationConfiguration.Output, ct));

        return new Command("labels", "The label set the models learn from and are validated on: export and import as CSV (docs/models.md).") { export, import };
    }

    private static Option<string> DataDir() => CliOptions.ExistingDirectory("--data-dir", "the store the service uses (default ./data)");

    public static async Task<int> ExportAsync(LabelsOptions o, TextWriter output, CancellationToken ct)
    {
        using var store = Open(o.DataDir);
        var labels = await store.ListAsync(null, ct);
        var dir = Path.GetDirectoryName(Path.GetFullPath(o.File));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        await File.WriteAllTextAsync(o.File, LabelCsv.Write(labels), ct);
        await output.WriteLineAsync($"{labels.Count} labels ({string.Join(", ", labels.GroupBy(l => l.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}) → {Path.GetFullPath(o.File)}");
        return 0;
    }

    public static async Task<int> ImportAsync(LabelsOptions o, TextWriter output, CancellationToken ct)
    {
        IReadOnlyList<Label> labels;
        try
        {
            labels = LabelCsv.Read(o.File, "csv:" + Path.GetFileName(o.File), DateTimeOffset.UtcNow);
        }
        catch (InvalidDataException ex)
        {
            throw new FailureException(ex.Message);
        }

        using var store = Open(o.DataDir);
        var added = await store.AddAsync(labels, ct);
        await output.WriteLineAsync($"{added} labels added, {labels.Count - added} already there, from {Path.GetFullPath(o.File)}");
        return 0;
    }

    private static SqliteLabelStore Open(string dataDir)
    {
        var db = Path.Combine(dataDir, "twin.db");
        if (!File.Exists(db))
        {
            throw new FailureException($"{db} does not exist: start the service on this folder once (twin serve --data-dir {dataDir})");
        }

        return new SqliteLabelStore(db);
    }
}
