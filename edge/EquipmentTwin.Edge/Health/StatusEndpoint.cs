using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EquipmentTwin.Edge.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Health;

/// <summary>
/// <c>GET /status</c> (JSON) and <c>GET /metrics</c> (Prometheus text) on <c>Http:Bind</c>:<c>Http:Port</c> with a
/// plain <see cref="HttpListener"/>, and <c>{DataDir}/status.json</c> rewritten every 2 s (also when the port is 0).
/// </summary>
public sealed partial class StatusEndpoint(EdgeStatusReporter reporter, EdgeSettings settings, ILogger<StatusEndpoint> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        HttpListener? listener = null;
        var nextStart = DateTime.MinValue;
        var file = Path.Combine(settings.DataDir, "status.json");
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (settings.Http.Port > 0 && listener is null && DateTime.UtcNow >= nextStart)
                {
                    // The status endpoint never stops the agent: while the port cannot be had, the agent reads, journals and
                    // publishes as before, status.json is still written, and the port is tried again every 30 s.
                    listener = await StartListenerAsync(stoppingToken).ConfigureAwait(false);
                    if (listener is null)
                    {
                        nextStart = DateTime.UtcNow + RetryAfter;
                    }
                    else
                    {
                        LogListening(settings.Http.Bind, settings.Http.Port);
                        var serving = listener;
                        _ = Task.Run(() => ServeAsync(serving, stoppingToken), stoppingToken);
                    }
                }

                WriteFile(file);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            WriteFile(file);
            listener?.Close();
        }
    }

    /// <summary>Attempts to bind the status port that failed so far.</summary>
    public int FailedStarts => _failedStarts;

    /// <summary>True while the status port is served.</summary>
    public bool Listening { get; private set; }

    private int _failedStarts;

    /// <summary>How long the agent runs without its status port before trying to bind it again.</summary>
    internal static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Binds the port, or returns null after a few attempts. The managed HttpListener can throw ArgumentNullException
    /// from Start when a client connects while it is still being set up (a monitor polling /status during a restart,
    /// seen in the kill test); the socket it had already bound is then left open until it is finalized, and every
    /// later Start in this process fails with "address already in use". So a failed attempt lets the finalizers close
    /// that socket before the next one.
    /// </summary>
    private async Task<HttpListener?> StartListenerAsync(CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://{settings.Http.Bind}:{settings.Http.Port}/");
            try
            {
                listener.Start();
                Listening = true;
                return listener;
            }
            catch (Exception ex) when (ex is ArgumentNullException or HttpListenerException or SocketException)
            {
                Interlocked.Increment(ref _failedStarts);
                LogStartFailed(ex, attempt);
                listener.Close();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), ct).ConfigureAwait(false);
            }
        }

        LogNotListening(settings.Http.Bind, settings.Http.Port, RetryAfter.TotalSeconds);
        return null;
    }

    private void WriteFile(string file)
    {
        try
        {
            var tmp = file + ".tmp";
            File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(reporter.Snapshot(), Json));
            File.Move(tmp, file, overwrite: true);
        }
        catch (IOException ex)
        {
            LogFileFailed(ex, file);
        }
    }

    private async Task ServeAsync(HttpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                var path = context.Request.Url?.AbsolutePath ?? "/";
                byte[] body;
                if (path is "/status" or "/")
                {
                    context.Response.ContentType = "application/json";
                    body = JsonSerializer.SerializeToUtf8Bytes(reporter.Snapshot(), Json);
                }
                else if (path == "/metrics")
                {
                    context.Response.ContentType = "text/plain; version=0.0.4";
                    body = Encoding.UTF8.GetBytes(Prometheus(reporter.Snapshot()));
                }
                else
                {
                    context.Response.StatusCode = 404;
                    body = "{\"error\":\"not found: use /status or /metrics\"}"u8.ToArray();
                }

                await context.Response.OutputStream.WriteAsync(body, ct).ConfigureAwait(false);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                LogRequestFailed(ex.Message);
            }
        }
    }

    internal static string Prometheus(EdgeStatus s)
    {
        var sb = new StringBuilder();
        void Line(string name, double value, string? labels = null) =>
            sb.Append("edge_").Append(name).Append(labels is null ? "" : "{" + labels + "}").Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line("queue_depth_batches", s.QueueDepthBatches);
        Line("queue_bytes", s.QueueBytes);
        Line("queue_full", s.QueueFull ? 1 : 0);
        Line("oldest_unsent_age_seconds", s.OldestUnsentAgeSeconds);
        Line("mqtt_connected", s.Connected ? 1 : 0);
        Line("batches_journaled_total", s.BatchesJournaled);
        Line("batches_acked_total", s.BatchesAcked);
        Line("batches_dropped_total", s.DroppedBatches);
        Line("rejected_lines_total", s.RejectedLines);
        Line("bytes_lost_total", s.BytesLost);
        Line("loss_events_total", s.LossEvents);
        foreach (var src in s.Sources)
        {
            var labels = $"device=\"{src.Device}\",kind=\"{src.Kind}\"";
            Line("lines_read_total", src.LinesRead, labels);
            Line("lines_rejected_total", src.LinesRejected, labels);
            Line("lines_read_since_start", src.LinesReadSinceStart, labels);
            Line("source_bytes_lost_total", src.BytesLost, labels);
            Line("source_loss_events_total", src.Losses, labels);
            Line("source_lag_bytes", Math.Max(0, src.Length - src.Position), labels);
        }

        return sb.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Status on http://{Bind}:{Port}/status")]
    private partial void LogListening(string bind, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status endpoint failed to start (attempt {Attempt}); trying again")]
    private partial void LogStartFailed(Exception ex, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Status endpoint could not listen on {Bind}:{Port}; the agent goes on without it (status.json is still written) and tries again in {Seconds} s")]
    private partial void LogNotListening(string bind, int port, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write {File}")]
    private partial void LogFileFailed(Exception ex, string file);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Status request failed: {Reason}")]
    private partial void LogRequestFailed(string reason);
}
