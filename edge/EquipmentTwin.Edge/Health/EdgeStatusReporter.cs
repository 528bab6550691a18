using System.Diagnostics.Metrics;
using System.Globalization;
using EquipmentTwin.Edge.Hosting;
using EquipmentTwin.Edge.Pipeline;
using EquipmentTwin.Edge.Publishing;
using EquipmentTwin.Edge.Queue;
using EquipmentTwin.Edge.Sources;

namespace EquipmentTwin.Edge.Health;

/// <summary>Gathers the status snapshot from the parts, and publishes the same figures as <see cref="Meter"/> instruments (<c>EquipmentTwin.Edge</c>).</summary>
public sealed class EdgeStatusReporter
{
    public const string MeterName = "EquipmentTwin.Edge";

    private readonly DiskJournal _journal;
    private readonly EdgeSettings _settings;
    private readonly IReadOnlyList<SourceCounters> _sources;
    private readonly RejectedLines _rejected;
    private readonly LossLog _losses;
    private readonly Batcher _batcher;
    private readonly MqttPublisher _publisher;
    private readonly IReadOnlyList<DeviceStatusLane> _lanes;
    private readonly SeqAllocator _seq;
    private readonly SyslogListener? _syslog;
    private readonly TimeProvider _time;

    public EdgeStatusReporter(DiskJournal journal, EdgeSettings settings, SourceSet sources, RejectedLines rejected, LossLog losses, Batcher batcher,
        MqttPublisher publisher, IReadOnlyList<DeviceStatusLane> lanes, SeqAllocator seq, TimeProvider time, IMeterFactory meters)
    {
        _journal = journal;
        _settings = settings;
        _sources = sources.Counters;
        _rejected = rejected;
        _losses = losses;
        _batcher = batcher;
        _publisher = publisher;
        _lanes = lanes;
        _seq = seq;
        _syslog = sources.Syslog;
        _time = time;

        var meter = meters.Create(MeterName);
        meter.CreateObservableCounter("edge.lines.read", () => _sources.Sum(s => s.LinesRead), "{line}", "Lines read from all sources");
        meter.CreateObservableCounter("edge.lines.rejected", () => _rejected.Total, "{line}", "Lines that no parser understood (kept under rejected/)");
        meter.CreateObservableCounter("edge.bytes.lost", () => _sources.Sum(s => s.BytesLost), "By", "Bytes of vendor logs the agent could not read (rotated file gone, truncated before read)");
        meter.CreateObservableCounter("edge.loss.events", () => _sources.Sum(s => s.Losses), "{loss}", "Losses the agent could not prevent (see /status recentLosses)");
        meter.CreateObservableCounter("edge.batches.journaled", () => _batcher.BatchesJournaled, "{batch}");
        meter.CreateObservableCounter("edge.batches.acked", () => _journal.Stats().AckedBatches, "{batch}");
        meter.CreateObservableCounter("edge.batches.dropped", () => _journal.Stats().DroppedBatches, "{batch}", "Batches dropped by the drop-oldest policy: data lost");
        meter.CreateObservableGauge("edge.queue.depth", () => _journal.Stats().DepthBatches, "{batch}");
        meter.CreateObservableGauge("edge.queue.bytes", () => _journal.Stats().PendingBytes, "By");
        meter.CreateObservableGauge("edge.queue.oldest_unsent_age", () => _journal.Stats().OldestUnsentAgeSeconds, "s");
        meter.CreateObservableGauge("edge.mqtt.connected", () => _publisher.Connected ? 1 : 0);
    }

    public EdgeStatus Snapshot()
    {
        var j = _journal.Stats();
        return new EdgeStatus(
            _settings.Edge.Source,
            j.DepthBatches,
            j.PendingBytes,
            j.MaxBytes,
            j.DiskBytes,
            j.BackPressured,
            Math.Round(j.OldestUnsentAgeSeconds, 3),
            j.LastAckAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            _publisher.Connected,
            _lanes.Count(l => l.Connected),
            _batcher.BatchesJournaled,
            _batcher.RecordsJournaled,
            j.AckedBatches,
            _seq.Peek,
            _sources.Select(s => new SourceStatus(s.Device, s.Kind, s.Path, s.CurrentFile, s.LinesRead, s.LinesRejected, s.Position)
            {
                LinesReadSinceStart = s.LinesReadSinceStart,
                Length = s.Length,
                BytesLost = s.BytesLost,
                Losses = s.Losses,
                Rotated = s.Rotated,
            }).ToList(),
            _rejected.Total,
            j.DroppedBatches,
            _publisher.DeadLettered,
            j.CorruptEntries,
            _syslog?.Dropped ?? 0,
            _syslog?.Unmatched ?? 0,
            _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
        {
            BytesLost = _sources.Sum(s => s.BytesLost),
            LossEvents = _sources.Sum(s => s.Losses),
            RecentLosses = _losses.Recent,
        };
    }
}
