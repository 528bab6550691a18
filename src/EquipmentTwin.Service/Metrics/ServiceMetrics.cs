using System.Diagnostics.Metrics;
using EquipmentTwin.Analytics.Fusion;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Ingest;
using Microsoft.Extensions.DependencyInjection;

namespace EquipmentTwin.Service.Metrics;

/// <summary>
/// The service's state as observable instruments, read at each scrape: store writes and failures, queue depths,
/// analytics backlog, alerts by state, broker connection. Counts made where things happen (records stored, payloads
/// quarantined, duplicates, publishes the broker refused) are counters in their own components.
/// </summary>
public sealed class ServiceMetrics
{
    public const string MeterName = "EquipmentTwin.Service";

    public ServiceMetrics(IMeterFactory meters, IServiceProvider services)
    {
        var meter = meters.Create(MeterName);
        var pipeline = services.GetRequiredService<IngestPipeline>();
        meter.CreateObservableCounter("equipmenttwin.store.writes", () => pipeline.Writes, description: "Store writes committed (each one group commit of messages)");
        meter.CreateObservableCounter("equipmenttwin.store.write_failures", () => pipeline.WriteFailures, description: "Store writes that failed after their retries; their messages were left unacknowledged");
        meter.CreateObservableGauge("equipmenttwin.ingest.queue_depth", () => pipeline.QueueDepth, description: "Decoded messages waiting for the store writer");

        var analytics = services.GetRequiredService<AnalyticsService>();
        meter.CreateObservableGauge("equipmenttwin.analytics.queue_depth", () => analytics.QueueDepth, description: "Committed writes waiting for the analytics engines");
        meter.CreateObservableCounter("equipmenttwin.analytics.skipped_no_nameplate", () => analytics.SkippedNoNameplate, description: "Batches not analysed because their device has no nameplate yet");

        var alerts = services.GetRequiredService<AlertService>();
        meter.CreateObservableGauge("equipmenttwin.alerts", () =>
        {
            var counts = alerts.Alerts().GroupBy(a => a.State).ToDictionary(g => g.Key, g => g.Count());
            return Enum.GetValues<AlertState>().Select(s => new Measurement<int>(counts.GetValueOrDefault(s), new KeyValuePair<string, object?>("state", s.ToWire())));
        }, description: "Alerts by state");

        var broker = services.GetService<EmbeddedBroker>();
        var subscriber = services.GetService<ExternalBrokerSubscriber>();
        meter.CreateObservableGauge("equipmenttwin.broker.up", () => broker is not null ? (broker.IsRunning ? 1 : 0) : subscriber?.IsConnected == true ? 1 : 0,
            description: "1 while the embedded broker runs, or the external broker's subscription is connected");
    }
}
