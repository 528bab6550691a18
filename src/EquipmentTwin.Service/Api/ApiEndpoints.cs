using System.Globalization;
using System.Text;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.Twins;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Service.Api;

/// <summary>The HTTP API (docs/api.md). Times are RFC 3339 UTC; query ranges are event time, from inclusive, to exclusive.</summary>
public static class ApiEndpoints
{
    private const int DefaultLimit = 10_000;
    private const int MaxLimit = 100_000;

    /// <summary>A device that has sent nothing and no status for this long counts as offline.</summary>
    public static readonly TimeSpan SilenceBeforeOffline = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapTwinApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Health);
        var api = app.MapGroup("/api");
        api.MapGet("/devices", ListDevices);
        api.MapGet("/devices/{id}", GetDevice);
        api.MapGet("/devices/{id}/signals/{name}", GetSignal);
        api.MapGet("/devices/{id}/events", GetEvents);
        api.MapGet("/devices/{id}/maintenance", GetMaintenance);
        api.MapGet("/ingest/stats", GetStats);
        api.MapGet("/quarantine", GetQuarantine);
        return app;
    }

    private static async Task<IResult> Health(IServiceProvider services, ITelemetryStore store, IngestPipeline pipeline, IOptions<MqttOptions> mqtt, IOptions<StoreOptions> storeOptions, CancellationToken ct)
    {
        var components = new Dictionary<string, ComponentHealthDto>();
        if (mqtt.Value.Embedded)
        {
            var broker = services.GetRequiredService<EmbeddedBroker>();
            components["broker"] = broker.IsRunning
                ? new ComponentHealthDto("up", $"embedded on {mqtt.Value.Bind}:{mqtt.Value.Port}, {await broker.ConnectedClientsAsync()} client(s)")
                : new ComponentHealthDto("down", "embedded broker not running");
        }
        else
        {
            var sub = services.GetRequiredService<ExternalBrokerSubscriber>();
            components["broker"] = sub.IsConnected
                ? new ComponentHealthDto("up", $"subscribed to {mqtt.Value.Host}:{mqtt.Value.Port}")
                : new ComponentHealthDto("down", $"not connected to {mqtt.Value.Host}:{mqtt.Value.Port}");
        }

        components["store"] = await store.PingAsync(ct)
            ? new ComponentHealthDto("up", storeOptions.Value.Kind)
            : new ComponentHealthDto("down", storeOptions.Value.Kind + " not answering");
        components["ingest"] = pipeline.Running
            ? new ComponentHealthDto("up", $"queue {pipeline.QueueDepth}, {pipeline.Writes} writes, {pipeline.WriteFailures} failed")
            : new ComponentHealthDto("down", "writer not running");

        var healthy = components.Values.All(c => c.State == "up");
        var dto = new HealthDto(healthy ? "healthy" : "unhealthy", components);
        return healthy ? Results.Ok(dto) : Results.Json(dto, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult ListDevices(TwinRegistry twins, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var list = twins.ReadAll(t => new DeviceSummaryDto(
            t.DeviceId,
            t.Site,
            t.Nameplate?.Modality.ToWire(),
            t.Nameplate?.Vendor,
            t.Nameplate?.Model,
            t.Nameplate?.Serial,
            t.IsOnline(now, SilenceBeforeOffline),
            Format(t.LastReceivedAt),
            FormatMs(t.LastEventTimeMs),
            Latest(t, twins.Catalog),
            Analysis(t, twins.Catalog)));
        return Results.Ok(new { count = list.Count, devices = list });
    }

    private static IResult GetDevice(string id, TwinRegistry twins, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var dto = twins.Read(id, t =>
        {
            var catalog = t.Modality is { } m ? twins.Catalog.Find(m) : null;
            return new DeviceTwinDto(
                t.DeviceId,
                t.Site,
                t.Nameplate is { } n ? new NameplateDto(n.Modality.ToWire(), n.Vendor, n.Model, n.Serial, n.Installed, n.Software) : null,
                t.IsOnline(now, SilenceBeforeOffline),
                t.StatusOnline,
                Format(t.StatusChangedAt),
                Format(t.LastReceivedAt),
                FormatMs(t.LastEventTimeMs),
                t.RecordCount,
                t.LastEvent is { } e ? new EventDto(FormatMs(e.TimestampMs)!, e.Code, e.Severity.ToWire(), e.Text, catalog?.FindEvent(e.Code)?.Component) : null,
                Latest(t, twins.Catalog),
                t.UnknownSignals.Order(StringComparer.Ordinal).ToArray(),
                Analysis(t, twins.Catalog));
        });
        return dto is null ? NotFound($"device '{id}' is not known") : Results.Ok(dto);
    }

    /// <summary>Most buckets a downsampled range may ask for.</summary>
    public const int MaxPoints = 10_000;

    private static async Task<IResult> GetSignal(string id, string name, string? from, string? to, int? limit, int? points, TwinRegistry twins, ITelemetryStore store, CancellationToken ct)
    {
        var info = twins.Read(id, t => new Tuple<long?, Modality?>(t.LastEventTimeMs, t.Modality));
        if (info is null)
        {
            return NotFound($"device '{id}' is not known");
        }

        if (!TryRange(from, to, info.Item1, out var f, out var t, out var error))
        {
            return Problems.BadRequest(error);
        }

        if (!TryLimit(limit, out var n, out error))
        {
            return Problems.BadRequest(error);
        }

        var unit = info.Item2 is { } m ? twins.Catalog.Find(m)?.FindSignal(name)?.Unit : null;
        if (points is { } buckets)
        {
            if (buckets is < 1 or > MaxPoints)
            {
                return Problems.BadRequest($"points must be between 1 and {MaxPoints}");
            }

            var b = await store.QuerySignalBucketsAsync(id, name, f, t, buckets, ct);
            return Results.Ok(new SignalBucketsDto(id, name, unit, Format(f)!, Format(t)!, b.BucketMs, b.Buckets.Count,
                b.Buckets.Select(x => new BucketDto(FormatMs(x.StartMs)!, x.Min, x.Max, x.Mean, x.Count)).ToArray()));
        }

        // One more than asked says whether the range holds more; a reading is unique per millisecond, so the next page
        // starts 1 ms after the last one returned.
        var raw = await store.QuerySignalAsync(id, name, f, t, n + 1, ct);
        var page = raw.Take(n).Select(p => new PointDto(FormatMs(p.TimestampMs)!, p.Value)).ToArray();
        var continuation = raw.Count > n ? (raw[n - 1].TimestampMs + 1).ToString(CultureInfo.InvariantCulture) : null;
        var next = continuation is null ? null
            : $"/api/devices/{Uri.EscapeDataString(id)}/signals/{Uri.EscapeDataString(name)}?from={continuation}&to={t.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}&limit={n}";
        return Results.Ok(new SignalSeriesDto(id, name, unit, Format(f)!, Format(t)!, page.Length, page, continuation is not null, continuation, next));
    }

    private static async Task<IResult> GetEvents(string id, string? from, string? to, int? limit, TwinRegistry twins, ITelemetryStore store, CancellationToken ct)
    {
        var info = twins.Read(id, t => new Tuple<long?, Modality?>(t.LastEventTimeMs, t.Modality));
        if (info is null)
        {
            return NotFound($"device '{id}' is not known");
        }

        if (!TryRange(from, to, info.Item1, out var f, out var t, out var error) || !TryLimit(limit, out var n, out error))
        {
            return Problems.BadRequest(error);
        }

        var catalog = info.Item2 is { } m ? twins.Catalog.Find(m) : null;
        var events = await store.QueryEventsAsync(id, f, t, n, ct);
        return Results.Ok(new EventListDto(id, Format(f)!, Format(t)!, events.Count,
            events.Select(e => new EventDto(FormatMs(e.TimestampMs)!, e.Code, e.Severity.ToWire(), e.Text, catalog?.FindEvent(e.Code)?.Component)).ToArray()));
    }

    private static async Task<IResult> GetMaintenance(string id, string? from, string? to, int? limit, TwinRegistry twins, ITelemetryStore store, CancellationToken ct)
    {
        if (twins.Read(id, t => t.DeviceId) is null)
        {
            return NotFound($"device '{id}' is not known");
        }

        // Maintenance history defaults to everything up to now rather than the last day.
        if (!TryRange(from ?? "0", to ?? "4102444800000", null, out var f, out var t, out var error) || !TryLimit(limit, out var n, out error))
        {
            return Problems.BadRequest(error);
        }

        var records = await store.QueryMaintenanceAsync(id, f, t, n, ct);
        return Results.Ok(new MaintenanceListDto(id, Format(f)!, Format(t)!, records.Count,
            records.Select(r => new MaintenanceDto(FormatMs(r.TimestampMs)!, r.Component, r.Action.ToWire(), r.Text, r.Engineer)).ToArray()));
    }

    private static async Task<IResult> GetStats(ITelemetryStore store, IngestPipeline pipeline, CancellationToken ct)
    {
        var c = await store.GetCountersAsync(ct);
        var positions = await store.GetPositionsAsync(ct);
        return Results.Ok(new IngestStatsDto(c.BatchesAccepted, c.RecordsAccepted, c.DuplicatesDropped, c.PayloadsRejected, c.RecordsRejected, c.Nameplates, c.Statuses, c.Maintenance, c.ReadingsReplaced,
            pipeline.QueueDepth, pipeline.Writes, pipeline.WriteFailures, Format(pipeline.LastWriteAt),
            positions.Select(p => new IngestPositionDto(p.Source, p.MaxSeq, p.Batches, Format(p.LastReceivedAt)!)).ToArray()));
    }

    /// <summary>Newest first, a page of at most <c>limit</c>; <c>continuation</c> (an id) asks for the page after it.</summary>
    private static async Task<IResult> GetQuarantine(int? limit, long? continuation, ITelemetryStore store, CancellationToken ct)
    {
        if (!TryLimit(limit ?? 100, out var n, out var error))
        {
            return Problems.BadRequest(error);
        }

        // One more than asked tells whether another page follows without a count over the whole table.
        var entries = await store.QueryQuarantineAsync(n + 1, continuation, ct);
        var page = entries.Take(n).ToArray();
        var dtos = page.Select(e =>
        {
            var (encoding, text) = PayloadText(e.Payload);
            return new QuarantineDto(e.Id, Format(e.ReceivedAt)!, e.Topic, e.Reason, e.Detail, e.WholePayload, e.RecordsRejected, e.PayloadBytes, encoding, text,
                e.Payload.Length, e.Payload.Length < e.PayloadBytes, e.Sha256);
        }).ToArray();
        var next = entries.Count > n ? page[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return Results.Ok(new QuarantineListDto(dtos.Length, dtos, next, next is null ? null : $"/api/quarantine?limit={n}&continuation={next}"));
    }

    private static (string Encoding, string Text) PayloadText(byte[] payload)
    {
        try
        {
            return ("utf-8", new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload));
        }
        catch (DecoderFallbackException)
        {
            return ("base64", Convert.ToBase64String(payload));
        }
    }

    private static Dictionary<string, LatestValueDto> Latest(DeviceTwin twin, SignalCatalog catalogs)
    {
        var catalog = twin.Modality is { } m ? catalogs.Find(m) : null;
        var map = new Dictionary<string, LatestValueDto>(twin.Latest.Count, StringComparer.Ordinal);
        foreach (var (name, reading) in twin.Latest.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var def = catalog?.FindSignal(name);
            map[name] = new LatestValueDto(FormatMs(reading.TimestampMs)!, reading.Value, def?.Unit, def?.Component, def?.IsInNormalRange(reading.Value), def is not null);
        }

        return map;
    }

    private static TwinAnalysisDto Analysis(DeviceTwin twin, SignalCatalog catalogs)
    {
        var a = twin.Analysis;
        var now = a.EventTimeMs ?? twin.LastEventTimeMs ?? 0;
        var catalog = twin.Modality is { } m ? catalogs.Find(m) : null;
        // The signal that tells most: the forecast behind the most pressing open alert, else the soonest forecast,
        // else a signal with a data-quality issue, else the first catalog signal the device reports.
        var telling = a.OpenAlerts.Select(x => a.Forecasts.FirstOrDefault(f => f.Component == x.Component)?.Signal).FirstOrDefault(x => x is not null)
            ?? a.Forecasts.OrderBy(f => f.P50Ms).Select(f => f.Signal).FirstOrDefault()
            ?? a.DataQuality.Select(d => d.Signal).FirstOrDefault()
            ?? catalog?.Signals.Keys.FirstOrDefault(twin.Latest.ContainsKey)
            ?? twin.Latest.Keys.Order(StringComparer.Ordinal).FirstOrDefault();
        return new TwinAnalysisDto(
            a.Health.ToWire(),
            a.Risk(now),
            telling,
            FormatMs(a.EventTimeMs),
            a.OpenAlerts.Select(x => new TwinAlertDto(x.Id, x.Component, x.State, x.Severity.ToWire(), Math.Round(x.Confidence, 3), FormatMs(x.OpenedMs)!, FormatMs(x.P50Ms))).ToArray(),
            a.Forecasts.Select(f => new TwinForecastDto(f.Component, f.Signal, f.Threshold, f.Above ? "above" : "below", FormatMs(f.P10Ms)!, FormatMs(f.P50Ms)!, FormatMs(f.P90Ms)!, f.Model, f.Parameters, f.RSquared, f.Points, FormatMs(f.ComputedAtMs)!)).ToArray(),
            a.DataQuality.Select(d => new TwinDataQualityDto(d.Signal, d.Kind, FormatMs(d.SinceMs)!, FormatMs(d.UpdatedMs)!, d.Summary)).ToArray(),
            a.ModelVersions)
        {
            RemainingLife = a.RemainingLife.Select(r => new TwinRulDto(r.Component, r.Model, FormatMs(r.AsOfMs)!, Math.Round(r.P10Days, 2), Math.Round(r.P50Days, 2), Math.Round(r.P90Days, 2),
                FormatMs(r.AsOfMs + (long)(r.P10Days * 86_400_000))!, FormatMs(r.AsOfMs + (long)(r.P50Days * 86_400_000))!, FormatMs(r.AsOfMs + (long)(r.P90Days * 86_400_000))!, r.Days, r.Near, r.HorizonDays)).ToArray(),
        };
    }

    internal static bool TryRange(string? from, string? to, long? lastEventMs, out DateTimeOffset f, out DateTimeOffset t, out string error)
    {
        f = t = default;
        error = "";
        // Without a range: the 24 h of event time up to the device's newest record.
        var end = lastEventMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms + 1) : DateTimeOffset.UtcNow;
        if (to is not null && !TryTime(to, out end))
        {
            error = $"to '{to}' is not RFC 3339 with a zone or epoch milliseconds";
            return false;
        }

        var start = end - TimeSpan.FromDays(1);
        if (from is not null && !TryTime(from, out start))
        {
            error = $"from '{from}' is not RFC 3339 with a zone or epoch milliseconds";
            return false;
        }

        if (start > end)
        {
            error = "from is after to";
            return false;
        }

        f = start;
        t = end;
        return true;
    }

    private static bool TryTime(string text, out DateTimeOffset value)
    {
        if (long.TryParse(text, out var ms) && ms is > -62135596800000 and < 253402300800000)
        {
            value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        return WireCodec.TryParseRfc3339(text, out value);
    }

    private static bool TryLimit(int? limit, out int n, out string error)
    {
        n = limit ?? DefaultLimit;
        error = "";
        if (n is < 1 or > MaxLimit)
        {
            error = $"limit must be between 1 and {MaxLimit}";
            return false;
        }

        return true;
    }

    private static IResult NotFound(string message) => Problems.NotFound(message);

    internal static string? Format(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    internal static string? FormatMs(long? ms) => ms is { } v ? WireCodec.FormatRfc3339(v) : null;
}
