using System.Buffers;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Live;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace EquipmentTwin.Service.Api;

/// <summary>What the workbench adds to the API: maintenance entry and CSV import/export, exports, the catalog and the live stream (docs/dashboard.md).</summary>
public static class WorkbenchEndpoints
{
    private const string CsvType = "text/csv; charset=utf-8";

    public sealed record MaintenanceBody(string? Component, string? Action, string? Date, string? Text);

    public static IEndpointRouteBuilder MapWorkbenchApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapPost("/devices/{id}/maintenance", PostMaintenance);
        api.MapGet("/devices/{id}/maintenance.csv", ExportMaintenance);
        api.MapPost("/devices/{id}/maintenance.csv", ImportMaintenance);
        api.MapGet("/devices/{id}/signals.csv", ExportSignals);
        api.MapGet("/export/alerts.csv", ExportAlerts);
        api.MapGet("/export/forecasts.csv", ExportForecasts);
        api.MapGet("/catalog/{modality}", GetCatalog);
        api.MapGet("/stream", Stream);
        return app;
    }

    private static IResult GetCatalog(string modality, TwinRegistry twins)
    {
        if (!ModalityNames.TryParse(modality, out var m) || twins.Catalog.Find(m) is not { } c)
        {
            return Problems.NotFound($"no catalog for modality '{modality}'");
        }

        return Results.Ok(new
        {
            modality = m.ToWire(),
            name = c.Name,
            components = c.Components.Values.Select(x => new { id = x.Id, name = x.Name, description = x.Description, unit = x.Unit }),
            signals = c.Signals.Values.Select(s => new { name = s.Name, unit = s.Unit, component = s.Component, normalMin = s.NormalMin, normalMax = s.NormalMax, sampleSeconds = s.SampleSeconds, description = s.Description }),
        });
    }

    // ---- maintenance ----

    /// <summary>
    /// An engineer's record of what was done, entered as the wire format's <c>maintenance</c> message and sent
    /// through ingest exactly as one arriving over MQTT: stored, applied to the twin, then seen by the engines.
    /// </summary>
    private static async Task<IResult> PostMaintenance(string id, HttpContext http, TwinRegistry twins, IngestPipeline ingest, CancellationToken ct)
    {
        if (DeviceOf(twins, id) is not { } device)
        {
            return Problems.NotFound($"device '{id}' is not known");
        }

        MaintenanceBody? body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(http.Request.Body, default, ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.BadRequest("the body must be a JSON object {component, action, date, text}");
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name is "engineer" or "by")
                {
                    return Problems.BadRequest($"'{p.Name}' is not accepted: the record is made under the authenticated identity");
                }

                if (p.Name is not ("component" or "action" or "date" or "text"))
                {
                    return Problems.BadRequest($"unknown field '{p.Name}'");
                }

                if (p.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    return Problems.BadRequest($"'{p.Name}' must be a string");
                }
            }

            body = doc.RootElement.Deserialize<MaintenanceBody>(AlertJson.Options);
        }
        catch (JsonException ex)
        {
            return Problems.BadRequest("the body must be JSON {component, action, date, text}: " + ex.Message);
        }

        if (Actor.Of(http) is not { } actor)
        {
            return Problems.Unauthorized("a maintenance record needs an authenticated engineer");
        }

        if (!TryRecord(device, body?.Component, body?.Action, body?.Date, body?.Text, actor, Components(twins, device), out var record, out var error))
        {
            return Problems.BadRequest(error);
        }

        await SubmitAsync(ingest, device, record, ct);
        var dto = new MaintenanceDto(ApiEndpoints.FormatMs(record.TimestampMs)!, record.Component, record.Action.ToWire(), record.Text, record.Engineer);
        return Results.Created($"/api/devices/{id}/maintenance", dto);
    }

    private static async Task<IResult> ExportMaintenance(string id, TwinRegistry twins, ITelemetryStore store, CancellationToken ct)
    {
        if (DeviceOf(twins, id) is null)
        {
            return Problems.NotFound($"device '{id}' is not known");
        }

        var records = await store.QueryMaintenanceAsync(id, DateTimeOffset.FromUnixTimeMilliseconds(0), DateTimeOffset.FromUnixTimeMilliseconds(4102444800000), 100_000, ct);
        var sb = new StringBuilder();
        Csv.Row(sb, "device", "ts", "component", "action", "text", "engineer");
        foreach (var r in records)
        {
            Csv.Row(sb, id, ApiEndpoints.FormatMs(r.TimestampMs), r.Component, r.Action.ToWire(), r.Text, r.Engineer);
        }

        return Results.Text(sb.ToString(), CsvType);
    }

    /// <summary>
    /// Imports maintenance records from CSV with a header naming at least <c>ts</c> (or <c>date</c>), <c>component</c> and
    /// <c>action</c>, optionally <c>text</c> and <c>engineer</c> (the engineer who did the work, as a service desk's export
    /// names them; the importing identity where empty). Every good row goes through ingest; bad rows are reported by line.
    /// </summary>
    private static async Task<IResult> ImportMaintenance(string id, HttpContext http, TwinRegistry twins, IngestPipeline ingest, CancellationToken ct)
    {
        if (DeviceOf(twins, id) is not { } device)
        {
            return Problems.NotFound($"device '{id}' is not known");
        }

        if (Actor.Of(http) is not { } actor)
        {
            return Problems.Unauthorized("importing maintenance needs an authenticated engineer");
        }

        using var reader = new StreamReader(http.Request.Body);
        var rows = Csv.Parse(await reader.ReadToEndAsync(ct));
        if (rows.Count == 0)
        {
            return Problems.BadRequest("the CSV is empty");
        }

        var header = rows[0].Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Col(params string[] names) => names.Select(n => header.IndexOf(n)).FirstOrDefault(i => i >= 0, -1);
        int ts = Col("ts", "date"), component = Col("component"), action = Col("action"), text = Col("text"), engineer = Col("engineer");
        if (ts < 0 || component < 0 || action < 0)
        {
            return Problems.BadRequest("the header must name ts (or date), component and action");
        }

        var imported = 0;
        var rejected = new List<object>();
        for (var i = 1; i < rows.Count; i++)
        {
            var row = rows[i];
            string? Get(int c) => c >= 0 && c < row.Count && row[c].Length > 0 ? row[c] : null;
            if (!TryRecord(device, Get(component), Get(action), Get(ts) ?? "", Get(text), Get(engineer) ?? actor, Components(twins, device), out var record, out var error))
            {
                rejected.Add(new { line = i + 1, reason = error });
                continue;
            }

            await SubmitAsync(ingest, device, record, ct);
            imported++;
        }

        return Results.Ok(new { device = id, imported, rejected });
    }

    private static bool TryRecord((string Id, string Site, Modality? Modality, long? LastEventMs) device, string? component, string? action, string? date, string? text, string engineer, IReadOnlyCollection<string>? components, out MaintenanceRecord record, out string error)
    {
        record = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(component))
        {
            error = "'component' is required";
            return false;
        }

        if (components is not null && !components.Contains(component.Trim()))
        {
            error = $"'component' '{component}' is not a component of this device's modality ({string.Join(", ", components.Order(StringComparer.Ordinal))})";
            return false;
        }

        if (!MaintenanceActionNames.TryParse(action, out var a))
        {
            error = "'action' must be replaced, repaired, adjusted, no-fault-found or service";
            return false;
        }

        long ts;
        if (string.IsNullOrWhiteSpace(date))
        {
            // Without a date the record is stamped with the device's event time now, as an alert action is.
            ts = device.LastEventMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        }
        else if (!TryDate(date.Trim(), out ts))
        {
            error = $"'date' '{date}' is not RFC 3339 with a zone, a date (YYYY-MM-DD) or epoch milliseconds";
            return false;
        }

        if (text is { Length: > AlertEndpoints.MaxCommentLength })
        {
            error = $"'text' is longer than {AlertEndpoints.MaxCommentLength} characters";
            return false;
        }

        record = new MaintenanceRecord(ts, component.Trim(), a, string.IsNullOrWhiteSpace(text) ? null : text.Trim(), engineer);
        return true;
    }

    private static IReadOnlyCollection<string>? Components(TwinRegistry twins, (string Id, string Site, Modality? Modality, long? LastEventMs) device) =>
        device.Modality is { } m && twins.Catalog.Find(m) is { } c ? c.Components.Keys.ToArray() : null;

    private static bool TryDate(string text, out long ms)
    {
        ms = 0;
        if (long.TryParse(text, out var epoch))
        {
            ms = epoch;
            return true;
        }

        if (WireCodec.TryParseRfc3339(text, out var t))
        {
            ms = t.ToUnixTimeMilliseconds();
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d))
        {
            ms = new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
            return true;
        }

        return false;
    }

    private static async Task SubmitAsync(IngestPipeline ingest, (string Id, string Site, Modality? Modality, long? LastEventMs) device, MaintenanceRecord record, CancellationToken ct)
    {
        var payload = WireCodec.EncodeMaintenance(record);
        await ingest.SubmitAsync(Topics.Format(device.Site, device.Id, Channel.Maintenance), new ReadOnlySequence<byte>(payload), ct);
    }

    private static (string Id, string Site, Modality? Modality, long? LastEventMs)? DeviceOf(TwinRegistry twins, string id) =>
        twins.Read(id, t => new Tuple<string, string, Modality?, long?>(t.DeviceId, t.Site, t.Modality, t.LastEventTimeMs)) is { } x ? (x.Item1, x.Item2, x.Item3, x.Item4) : null;

    // ---- exports ----

    private static IResult ExportAlerts(string? state, string? device, AlertService alerts)
    {
        if (!AlertEndpoints.TryStates(state ?? "all", out var states))
        {
            return Problems.BadRequest("state must be open, acknowledged, closed, resolved, false-alarm or all");
        }

        var sb = new StringBuilder();
        Csv.Row(sb, "id", "deviceId", "site", "modality", "component", "state", "severity", "confidence", "openedAt", "updatedAt", "closedAt", "closedReason", "acknowledgedBy", "closedBy", "engines", "p10", "p50", "p90");
        foreach (var a in alerts.Alerts(device, states).Select(AlertJson.ToDto))
        {
            Csv.Row(sb, a.Id, a.DeviceId, a.Site, a.Modality, a.Component, a.State, a.Severity, a.Confidence, a.OpenedAt, a.UpdatedAt, a.ClosedAt, a.ClosedReason, a.AcknowledgedBy, a.ClosedBy,
                string.Join(' ', a.Engines), a.Forecast?.P10, a.Forecast?.P50, a.Forecast?.P90);
        }

        return Results.Text(sb.ToString(), CsvType);
    }

    private static IResult ExportForecasts(TwinRegistry twins, AlertService alerts)
    {
        var sb = new StringBuilder();
        Csv.Row(sb, "deviceId", "site", "component", "signal", "threshold", "direction", "p10", "p50", "p90", "model", "rSquared", "points", "computedAt");
        foreach (var id in twins.ReadAll(t => t.DeviceId))
        {
            if (alerts.Summary(id) is not { } s)
            {
                continue;
            }

            foreach (var f in s.Forecasts)
            {
                Csv.Row(sb, s.DeviceId, s.Site, f.Component, f.Signal, f.Threshold, f.Direction, f.P10, f.P50, f.P90, f.Model, f.RSquared, f.Points, f.ComputedAt);
            }
        }

        return Results.Text(sb.ToString(), CsvType);
    }

    /// <summary>Every reading of the named signals (default: all the device has) in the range, one row per reading.</summary>
    private static async Task<IResult> ExportSignals(string id, string? from, string? to, string? signals, TwinRegistry twins, ITelemetryStore store, CancellationToken ct)
    {
        var info = twins.Read(id, t => new Tuple<long?, Modality?, string[]>(t.LastEventTimeMs, t.Modality, t.Latest.Keys.Order(StringComparer.Ordinal).ToArray()));
        if (info is null)
        {
            return Problems.NotFound($"device '{id}' is not known");
        }

        if (!ApiEndpoints.TryRange(from, to, info.Item1, out var f, out var t, out var error))
        {
            return Problems.BadRequest(error);
        }

        var names = signals is { Length: > 0 } ? signals.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : info.Item3;
        var catalog = info.Item2 is { } m ? twins.Catalog.Find(m) : null;
        var sb = new StringBuilder();
        Csv.Row(sb, "ts", "signal", "value", "unit");
        foreach (var name in names)
        {
            var unit = catalog?.FindSignal(name)?.Unit;
            foreach (var p in await store.QuerySignalAsync(id, name, f, t, 100_000, ct))
            {
                Csv.Row(sb, ApiEndpoints.FormatMs(p.TimestampMs), name, p.Value, unit);
            }
        }

        return Results.Text(sb.ToString(), CsvType);
    }

    // ---- live ----

    /// <summary>Server-Sent Events: <c>devices</c>, <c>alert</c> and <c>twin</c> messages (see <see cref="LiveFeed"/>), and a comment every 15 s to keep proxies open.</summary>
    private static async Task Stream(HttpContext http, LiveFeed feed, CancellationToken ct)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = feed.Subscribe();
        await http.Response.WriteAsync("retry: 2000\n: connected\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(TimeSpan.FromSeconds(15));
                try
                {
                    if (!await subscription.Reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                    continue;
                }

                while (subscription.Reader.TryRead(out var m))
                {
                    await http.Response.WriteAsync($"event: {m.Event}\ndata: {m.Data}\n\n", ct);
                }

                await http.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the page went away
        }
    }
}
