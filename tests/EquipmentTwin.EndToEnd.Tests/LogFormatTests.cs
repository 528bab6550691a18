using System.Text.Json;
using EquipmentTwin.Testing;

namespace EquipmentTwin.EndToEnd.Tests;

/// <summary><c>twin serve --log-format json</c>: one JSON object per log line, for a log shipper.</summary>
public sealed class LogFormatTests
{
    [Fact]
    public async Task Json_log_format_writes_one_parseable_object_per_line_with_level_category_and_state()
    {
        using var data = new TempDirectory("logs");
        await using var twin = await TwinProcess.StartAsync(data.Path, null, "--log-format", "json");
        await twin.StopAsync();

        // The start-up summary (dashboard URL, MQTT endpoint) is for a person and stays plain; every log line is JSON.
        var lines = twin.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l.StartsWith('{')).ToList();
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(twin.Output.Split('\n'), l => l.Contains(" info: ", StringComparison.Ordinal) || l.Contains(" warn: ", StringComparison.Ordinal));
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e =>
        {
            Assert.True(e.TryGetProperty("Timestamp", out _));
            Assert.True(e.TryGetProperty("LogLevel", out _));
            Assert.True(e.TryGetProperty("Category", out _));
            Assert.True(e.TryGetProperty("Message", out _));
        });
        // Structured: the values of a message's placeholders arrive as their own fields.
        Assert.Contains(entries, e => e.TryGetProperty("State", out var s) && s.EnumerateObject().Any(p => p.Name == "{OriginalFormat}"));
    }
}
