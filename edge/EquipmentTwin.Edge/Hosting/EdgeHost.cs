using System.Net;
using System.Threading.Channels;
using EquipmentTwin.Edge.Health;
using EquipmentTwin.Edge.Parsing;
using EquipmentTwin.Edge.Pipeline;
using EquipmentTwin.Edge.Publishing;
using EquipmentTwin.Edge.Queue;
using EquipmentTwin.Edge.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EquipmentTwin.Edge.Hosting;

/// <summary>Composition root of <c>twin-edge</c>: configuration, journal, sources, batcher, publisher and status.</summary>
public static partial class EdgeHost
{
    /// <summary>Environment variables with this prefix override the config file, e.g. <c>EQUIPMENTTWIN_EDGE__Mqtt__Host</c>.</summary>
    public const string EnvironmentPrefix = "EQUIPMENTTWIN_EDGE__";

    public static string DefaultConfigPath => Path.Combine(AppContext.BaseDirectory, "config", "edge", "appsettings.json");

    /// <summary>Short flags and the settings they set; any <c>--Section:Key value</c> works too.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "Edge:DataDir",
        ["--source"] = "Edge:Source",
        ["--site"] = "Edge:Site",
        ["--mqtt-host"] = "Mqtt:Host",
        ["--mqtt-port"] = "Mqtt:Port",
        ["--http-port"] = "Http:Port",
    };

    /// <summary>Builds the agent from <c>--config path</c> (default: the appsettings.json beside the binary) and overrides.</summary>
    public static IHost Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var rest = new List<string>();
        string? configPath = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config" && i + 1 < args.Length)
            {
                configPath = args[++i];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "twin-edge",
        });
        if (configPath is not null && !File.Exists(configPath))
        {
            throw new FileNotFoundException($"configuration file '{configPath}' does not exist", configPath);
        }

        // Overrides without a file (bench, tests) stand alone; otherwise the file given, or the one beside the binary.
        if (configPath is not null || overrides is null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configPath ?? DefaultConfigPath), optional: false, reloadOnChange: false);
        }

        builder.Configuration
            .AddInMemoryCollection(overrides ?? [])
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(rest.ToArray(), SwitchMappings.ToDictionary(kv => kv.Key, kv => kv.Value));

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Error); // each retry is logged once by the agent itself
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));

        AddEdgeServices(builder.Services, builder.Configuration);
        return builder.Build();
    }

    public static IServiceCollection AddEdgeServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<IValidateOptions<EdgeSettings>, EdgeSettingsValidator>();
        services.AddOptions<EdgeSettings>().Configure(s => EdgeSettings.Bind(configuration, s)).ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EdgeSettings>>().Value);
        services.AddSingleton(TimeProvider.System);

        // Bounded: when the batcher waits for room in the journal, sources wait here and stop reading.
        services.AddSingleton(_ => Channel.CreateBounded<SourceChunk>(new BoundedChannelOptions(4) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }));
        services.AddSingleton(sp =>
        {
            var s = sp.GetRequiredService<EdgeSettings>();
            Directory.CreateDirectory(s.DataDir);
            return DiskJournal.Open(Path.Combine(s.DataDir, "journal"), s.Queue.MaxBytes, s.Queue.SegmentBytes, s.Queue.FullPolicy,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<DiskJournal>());
        });
        services.AddSingleton(sp =>
        {
            var s = sp.GetRequiredService<EdgeSettings>();
            return SeqAllocator.Open(Path.Combine(s.DataDir, "seq"), sp.GetRequiredService<DiskJournal>().MaxSeq + 1);
        });
        services.AddSingleton(sp => new RejectedLines(sp.GetRequiredService<EdgeSettings>().DataDir));
        services.AddSingleton(sp => new LossLog(sp.GetRequiredService<EdgeSettings>().DataDir, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LossLog>>()));
        services.AddSingleton(BuildSources);

        services.AddResiliencePipeline("mqtt-connect", (b, ctx) =>
        {
            var m = ctx.ServiceProvider.GetRequiredService<EdgeSettings>().Mqtt;
            var logger = ctx.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("EquipmentTwin.Edge.Publishing.Reconnect");
            b.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(m.ReconnectBaseDelayMs),
                MaxDelay = TimeSpan.FromSeconds(m.ReconnectMaxDelaySeconds),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = a =>
                {
                    LogRetry(logger, a.AttemptNumber + 1, a.RetryDelay.TotalSeconds, a.Outcome.Exception?.Message);
                    return default;
                },
            });
        });
        services.AddKeyedSingleton("mqtt-connect", (sp, _) => sp.GetRequiredService<Polly.Registry.ResiliencePipelineProvider<string>>().GetPipeline("mqtt-connect"));
        services.AddSingleton<IReadOnlyList<DeviceStatusLane>>(sp =>
        {
            var s = sp.GetRequiredService<EdgeSettings>();
            var pipeline = sp.GetRequiredKeyedService<ResiliencePipeline>("mqtt-connect");
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<DeviceStatusLane>();
            return s.Devices.Select(d => new DeviceStatusLane(d, EdgeSettingsValidator.ResolveNameplate(d).Nameplate, s, pipeline, logger)).ToList();
        });

        services.AddSingleton(sp => new Batcher(sp.GetRequiredService<Channel<SourceChunk>>().Reader, sp.GetRequiredService<DiskJournal>(), sp.GetRequiredService<SeqAllocator>(),
            sp.GetRequiredService<EdgeSettings>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<Batcher>>()));
        services.AddSingleton<MqttPublisher>();
        services.AddSingleton(sp => new SourcesService(sp.GetRequiredService<SourceSet>().Sources, sp.GetRequiredService<ILogger<SourcesService>>()));
        services.AddSingleton<EdgeStatusReporter>();
        services.AddSingleton<StatusEndpoint>();

        // Hosted services stop in reverse order: sources first, then the batcher journals what they read, then the publisher.
        services.AddHostedService(sp => sp.GetRequiredService<StatusEndpoint>());
        services.AddHostedService(sp => sp.GetRequiredService<MqttPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<Batcher>());
        services.AddHostedService(sp => sp.GetRequiredService<SourcesService>());
        return services;
    }

    private static SourceSet BuildSources(IServiceProvider sp)
    {
        var s = sp.GetRequiredService<EdgeSettings>();
        var journal = sp.GetRequiredService<DiskJournal>();
        var output = sp.GetRequiredService<Channel<SourceChunk>>().Writer;
        var rejected = sp.GetRequiredService<RejectedLines>();
        var loggers = sp.GetRequiredService<ILoggerFactory>();
        var time = sp.GetRequiredService<TimeProvider>();
        var losses = sp.GetRequiredService<LossLog>();
        var poll = TimeSpan.FromMilliseconds(s.Edge.PollMs);
        var rotateWait = TimeSpan.FromMilliseconds(s.Edge.RotateWaitMs);
        var maxLines = Math.Min(s.Batching.MaxRecords, 1000);
        var sources = new List<IEdgeSource>();
        var counters = new List<SourceCounters>();
        var positions = journal.RecoveredPositions;
        foreach (var d in s.Devices)
        {
            var parser = VendorParsers.For(d.Format);
            if (d.Tail is { } tail)
            {
                var path = Path.GetFullPath(tail);
                var key = $"tail:{d.Id}:{path}";
                var c = new SourceCounters(d.Id, "tail", path);
                var rotatedPrefix = TailSource.RotatedKeyPrefix(key);
                c.Restore(TotalsOf(positions, p => p.Key == key || p.Key.StartsWith(rotatedPrefix, StringComparison.Ordinal)));
                counters.Add(c);
                sources.Add(new TailSource(key, path, new LineEmitter(d.Id, parser, output, rejected, c), positions, poll, rotateWait, maxLines, losses, time, loggers.CreateLogger<TailSource>()));
            }
            else if (d.Directory is { } dir)
            {
                var path = Path.GetFullPath(dir);
                var c = new SourceCounters(d.Id, "directory", Path.Combine(path, d.Pattern));
                var prefix = DirectorySource.KeyPrefix(d.Id);
                c.Restore(TotalsOf(positions, p => p.Key.StartsWith(prefix, StringComparison.Ordinal)));
                counters.Add(c);
                sources.Add(new DirectorySource(d.Id, path, d.Pattern, new LineEmitter(d.Id, parser, output, rejected, c), positions, poll, maxLines, time, loggers.CreateLogger<DirectorySource>()));
            }
        }

        SyslogListener? syslog = null;
        if (s.Syslog.UdpPort > 0 || s.Syslog.TcpPort > 0)
        {
            var byName = new Dictionary<string, LineEmitter>(StringComparer.Ordinal);
            var perDevice = new Dictionary<string, LineEmitter>(StringComparer.Ordinal);
            foreach (var (sender, deviceId) in s.Syslog.Devices)
            {
                if (!perDevice.TryGetValue(deviceId, out var emitter))
                {
                    var d = s.Devices.First(x => x.Id == deviceId);
                    var c = new SourceCounters(deviceId, "syslog", $"udp:{s.Syslog.UdpPort} tcp:{s.Syslog.TcpPort}");
                    counters.Add(c);
                    emitter = new LineEmitter(deviceId, VendorParsers.For(d.Format), output, rejected, c);
                    perDevice[deviceId] = emitter;
                }

                byName[sender] = emitter;
            }

            syslog = new SyslogListener(IPAddress.Parse(s.Syslog.Bind), s.Syslog.UdpPort, s.Syslog.TcpPort, byName, rejected, loggers.CreateLogger<SyslogListener>());
            sources.Add(syslog);
        }

        return new SourceSet(sources, counters, syslog);
    }

    /// <summary>The counters journaled with a source's positions: each only grows, so the largest of each is the latest.</summary>
    private static SourceTotals TotalsOf(IReadOnlyDictionary<string, SourcePosition> positions, Func<SourcePosition, bool> ofSource) =>
        positions.Values.Where(ofSource).Aggregate(default(SourceTotals), (t, p) => SourceTotals.Max(t, p.Totals));

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connect attempt {Attempt} failed ({Reason}); next try in {Delay:0.0} s")]
    private static partial void LogRetry(ILogger logger, int attempt, double delay, string? reason);
}

/// <summary>The configured sources with their counters.</summary>
public sealed record SourceSet(IReadOnlyList<IEdgeSource> Sources, IReadOnlyList<SourceCounters> Counters, SyslogListener? Syslog);
