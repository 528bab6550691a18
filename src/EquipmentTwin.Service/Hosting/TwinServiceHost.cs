using System.Net;
using System.Text.Json.Serialization;
using EquipmentTwin.Analytics.Anomaly;
using EquipmentTwin.Analytics.Engines;
using EquipmentTwin.Analytics.Knowledge;
using EquipmentTwin.Analytics.Physics;
using EquipmentTwin.Analytics.Pipeline;
using EquipmentTwin.Analytics.Rul;
using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Service.Alerts;
using EquipmentTwin.Service.Analytics;
using EquipmentTwin.Service.Live;
using EquipmentTwin.Service.Metrics;
using EquipmentTwin.Service.OpenApi;
using EquipmentTwin.Service.Models;
using EquipmentTwin.Service.Web;
using EquipmentTwin.Storage.Audit;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Service.Api;
using EquipmentTwin.Service.Broker;
using EquipmentTwin.Service.Ingest;
using EquipmentTwin.Service.Security;
using EquipmentTwin.Service.Stores;
using EquipmentTwin.Service.Twins;
using EquipmentTwin.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace EquipmentTwin.Service.Hosting;

/// <summary>Composition root of <c>twin serve</c>: configuration, the store, the broker or subscriber, ingest, twins and the HTTP API.</summary>
public static class TwinServiceHost
{
    /// <summary>Environment variables with this prefix override appsettings, e.g. <c>EQUIPMENTTWIN__Store__Kind</c>.</summary>
    public const string EnvironmentPrefix = "EQUIPMENTTWIN__";

    /// <summary>Command-line flags of <c>twin serve</c> and the settings they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--mqtt-port"] = "Mqtt:Port",
        ["--mqtt-host"] = "Mqtt:Host",
        ["--mqtt-bind"] = "Mqtt:Bind",
        ["--embedded-broker"] = "Mqtt:Embedded",
        ["--http-port"] = "Http:Port",
        ["--http-bind"] = "Http:Bind",
        ["--data-dir"] = "Store:DataDir",
        ["--store"] = "Store:Kind",
        ["--influx-url"] = "Influx:Url",
        ["--influx-db"] = "Influx:Database",
        ["--mqtt-url"] = "Mqtt:Url",
        ["--catalog"] = "Catalog:Directory",
        ["--log-format"] = "Logging:Format",
    };

    /// <summary>Builds the service from command-line arguments (flags above, or any <c>--Section:Key value</c>).</summary>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(TwinServiceHost).Assembly.GetName().Name,
        });

        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables(EnvironmentPrefix)
            .AddCommandLine(args, SwitchMappings.ToDictionary(kv => kv.Key, kv => kv.Value));

        builder.Logging.ClearProviders();
        var logFormat = builder.Configuration["Logging:Format"] ?? "simple";
        if (string.Equals(logFormat, "json", StringComparison.OrdinalIgnoreCase))
        {
            // One JSON object per line (timestamp, level, category, message, and the structured state) for a log shipper.
            builder.Logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
                o.IncludeScopes = false;
            });
        }
        else if (string.Equals(logFormat, "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
        else
        {
            throw new OptionsValidationException("Logging:Format", typeof(string), [$"Logging:Format must be simple or json, not '{logFormat}'"]);
        }
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        AddTwinServices(builder.Services, builder.Configuration);
        configure?.Invoke(builder.Services);

        var http = builder.Configuration.GetSection(HttpOptions.Section).Get<HttpOptions>() ?? new HttpOptions();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(http.Bind), http.Port));

        var app = builder.Build();
        app.UseTwinSecurity();
        app.MapSessionApi();
        app.MapTwinApi();
        app.MapAlertApi();
        app.MapWorkbenchApi();
        app.MapModelApi();
        app.MapRetrainApi();
        app.MapLabelApi();
        app.MapWorkbench();
        app.MapTwinMetrics();
        app.MapTwinOpenApi();
        return app;
    }

    public static IServiceCollection AddTwinServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section))
            .PostConfigure(o => o.ApplyUrl())
            .Validate(o => o.Url is not { Length: > 0 } || Uri.TryCreate(o.Url, UriKind.Absolute, out _), "Mqtt:Url must be mqtt://host:port")
            .Validate(o => o.Refusal() is null, "the embedded broker listens beyond loopback with no Mqtt:PasswordFile: anonymous devices are only allowed on loopback (write credentials with 'twin credentials')")
            .Validate(o => o.PasswordFile is not { Length: > 0 } f || File.Exists(f), "Mqtt:PasswordFile does not exist")
            .Validate(o => o.AclFile is not { Length: > 0 } f || File.Exists(f), "Mqtt:AclFile does not exist")
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HttpOptions>().Bind(configuration.GetSection(HttpOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngestOptions>().Bind(configuration.GetSection(IngestOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section));
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.WriteIndented = false;
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => SignalCatalog.LoadDirectory(sp.GetRequiredService<IOptions<CatalogOptions>>().Value.ResolveDirectory()));
        services.AddTwinStores(configuration);
        services.AddTwinSecurity(configuration);
        services.AddTwinMetrics();
        services.AddTwinOpenApi();
        services.AddSingleton<IAnalyticsEngine>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
            return RuleEngine.Load(o.Resolve(o.RulesDirectory, "config", "rules"), sp.GetRequiredService<SignalCatalog>());
        });
        services.AddSingleton<IAnalyticsEngine>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value;
            return new PhysicsEngine(PhysicsConfigLoader.LoadDirectory(o.Resolve(o.PhysicsDirectory, "config", "physics"), sp.GetRequiredService<SignalCatalog>()));
        });
        // The anomaly models in use are the registry's champions, loaded and swapped in by ModelRegistryService.
        services.AddKeyedSingleton(ModelKinds.AnomalyPrefix, (sp, _) =>
            new SwappableEngine(new AnomalyEngine(AnomalyModelSet.Empty), sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value.ModelWarmupHours * 3_600_000L));
        services.AddSingleton<IAnalyticsEngine>(sp => sp.GetRequiredKeyedService<SwappableEngine>(ModelKinds.AnomalyPrefix));
        // The RUL models in use are the registry's rul-{modality}-{component} champions, put in by RulModels.
        services.AddSingleton(sp => { var o = sp.GetRequiredService<IOptions<AnalyticsOptions>>().Value; return new RulEngine(o.RulHorizonDays, o.RulKeepDays); });
        services.AddSingleton<IAnalyticsEngine>(sp => sp.GetRequiredService<RulEngine>());
        services.AddSingleton<RulModels>();
        services.AddSingleton(sp => new AnalyticsPipeline(sp.GetServices<IAnalyticsEngine>(), sp.GetRequiredService<SignalCatalog>()));
        services.AddSingleton<LiveFeed>();
        services.AddSingleton<ModelsInUse>();
        services.AddSingleton<ModelRegistryService>();
        services.AddModelRetraining(configuration);
        services.AddSingleton<AlertPublisher>();
        services.AddSingleton<PhysicsCalibrations>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<AnalyticsService>();
        services.AddSingleton(sp => new TwinRegistry(sp.GetRequiredService<SignalCatalog>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            return new MessageDecoder(new WireLimits
            {
                MaxPayloadBytes = o.MaxPayloadBytes,
                MaxRecordsPerBatch = o.MaxRecordsPerBatch,
                MaxFutureSkew = o.MaxFutureSkewMinutes > 0 ? TimeSpan.FromMinutes(o.MaxFutureSkewMinutes) : null,
            }, o.QuarantineHeadBytes);
        });

        var store = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        services.AddResiliencePipeline("store-write", (b, ctx) =>
        {
            if (store.WriteRetries > 0)
            {
                b.AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                    MaxDelay = TimeSpan.FromSeconds(store.WriteRetryMaxDelaySeconds),
                    MaxRetryAttempts = store.WriteRetries,
                });
            }
        });
        services.AddResiliencePipeline("mqtt-connect", (b, ctx) => b.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(500),
            MaxDelay = TimeSpan.FromSeconds(30),
            MaxRetryAttempts = int.MaxValue,
        }));
        services.AddKeyedSingleton("mqtt-connect", (sp, key) => sp.GetRequiredService<Polly.Registry.ResiliencePipelineProvider<string>>().GetPipeline("mqtt-connect"));

        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<IngestOptions>>().Value;
            return new IngestPipeline(
                sp.GetRequiredService<MessageDecoder>(),
                sp.GetRequiredService<ITelemetryStore>(),
                sp.GetRequiredService<TwinRegistry>(),
                sp.GetRequiredService<Polly.Registry.ResiliencePipelineProvider<string>>().GetPipeline("store-write"),
                sp.GetRequiredService<TimeProvider>(),
                o.QueueCapacity,
                o.MaxMessagesPerWrite,
                sp.GetRequiredService<ILogger<IngestPipeline>>(),
                sp.GetService<System.Diagnostics.Metrics.IMeterFactory>())
            {
                MaxCommitDelay = TimeSpan.FromMilliseconds(o.MaxCommitDelayMs),
            };
        });

        // Hosted services start in this order and stop in reverse: twins are restored before anything reads
        // them, and the broker stops taking messages before the writer stops.
        services.AddHostedService<TwinRestore>();
        services.AddHostedService<IngestWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ModelRegistryService>());
        services.AddHostedService(sp => sp.GetRequiredService<AnalyticsService>());
        services.AddHostedService(sp => sp.GetRequiredService<AlertPublisher>());
        // Which transport to build is decided at composition; the same typed options the services get decide it.
        var mqtt = configuration.GetSection(MqttOptions.Section).Get<MqttOptions>() ?? new MqttOptions();
        mqtt.ApplyUrl();
        if (mqtt.Embedded)
        {
            services.AddSingleton<EmbeddedBroker>();
            services.AddSingleton<IMqttPublisher>(sp => sp.GetRequiredService<EmbeddedBroker>());
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }
        else
        {
            services.AddSingleton<ExternalBrokerSubscriber>();
            services.AddSingleton<IMqttPublisher>(sp => sp.GetRequiredService<ExternalBrokerSubscriber>());
            services.AddHostedService(sp => sp.GetRequiredService<ExternalBrokerSubscriber>());
        }

        return services;
    }
}
