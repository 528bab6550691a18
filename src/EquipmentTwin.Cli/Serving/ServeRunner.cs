using System.Net;
using System.Net.Sockets;
using EquipmentTwin.Cli.Commands;
using EquipmentTwin.Cli.Fleets;
using EquipmentTwin.Service.Hosting;
using EquipmentTwin.Service.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EquipmentTwin.Cli.Serving;

/// <summary>
/// Starts the service for <c>twin serve</c>: checks settings, ports and the data folder first (one line naming the
/// setting, exit 1), then says where everything is once it is ready.
/// </summary>
public static class ServeRunner
{
    public static async Task<int> RunAsync(ServeSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        var args = settings.ConfigurationArgs.ToList();
        Action<IServiceCollection>? configure = null;
        if (settings.SimulateFleet is { } fleetPath)
        {
            var live = LiveFleet.Prepare(fleetPath, settings.Acceleration);
            configure = services => LiveFleet.Add(services, live);
            // Simulated event time runs ahead of the wall clock.
            args.AddRange(["--Ingest:MaxFutureSkewMinutes", "0"]);
        }

        await using var app = TwinServiceHost.Build([.. args], configure);
        var plan = Check(app.Services);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            throw new FailureException($"could not start: {ex.GetBaseException().Message}");
        }

        var dashboard = app.Urls.FirstOrDefault() is { } url ? Browsable(url) : $"http://{plan.HttpBind}:{plan.HttpPort}/";
        await output.WriteLineAsync("twin serve: ready");
        await output.WriteLineAsync($"  dashboard  {dashboard}");
        await output.WriteLineAsync($"  mqtt       {plan.Mqtt}");
        await output.WriteLineAsync($"  data       {plan.DataDir}");
        await output.WriteLineAsync($"  store      {plan.Store}");
        await output.WriteLineAsync("  stop with Ctrl+C");
        await output.FlushAsync(cancellationToken);
        await app.WaitForShutdownAsync(cancellationToken);
        return ExitCodes.Ok;
    }

    /// <summary>What the service will use, after checking that it can: valid settings, free ports, a writable data folder.</summary>
    public static ServePlan Check(IServiceProvider services)
    {
        // Reading the options runs their validation (OptionsValidationException: one line, exit 1).
        var mqtt = services.GetRequiredService<IOptions<MqttOptions>>().Value;
        var http = services.GetRequiredService<IOptions<HttpOptions>>().Value;
        var store = services.GetRequiredService<IOptions<StoreOptions>>().Value;
        _ = services.GetRequiredService<IOptions<IngestOptions>>().Value;

        var httpAddress = ParseAddress("Http:Bind", "--http-bind", http.Bind);
        EnsurePortFree("Http:Port", "--http-port", httpAddress, http.Port);
        string mqttEndpoint;
        if (mqtt.Embedded)
        {
            var mqttAddress = ParseAddress("Mqtt:Bind", "--mqtt-bind", mqtt.Bind);
            EnsurePortFree("Mqtt:Port", "--mqtt-port", mqttAddress, mqtt.Port);
            mqttEndpoint = $"mqtt://{Host(mqtt.Bind)}:{mqtt.Port} (embedded broker{(IsAny(mqtt.Bind) ? $", listening on {mqtt.Bind}" : "")})";
        }
        else
        {
            mqttEndpoint = $"mqtt{(mqtt.Tls ? "s" : "")}://{mqtt.Host}:{mqtt.Port} (external broker, subscribed as {mqtt.ClientId})";
        }

        var dataDir = Path.GetFullPath(store.DataDir);
        EnsureWritable("Store:DataDir", "--data-dir", dataDir);
        var storeText = store.Kind switch
        {
            StoreOptions.Influx when services.GetService<IOptions<InfluxOptions>>()?.Value is { } influx =>
                $"influx at {influx.Url ?? "(Influx:Url not set)"}, database {influx.Database}; alerts, audit and models in sqlite in {dataDir}",
            var kind => $"{kind} in {dataDir}",
        };
        return new ServePlan(http.Bind, http.Port, mqttEndpoint, dataDir, storeText);
    }

    private static IPAddress ParseAddress(string setting, string flag, string text) =>
        IPAddress.TryParse(text, out var address) ? address : throw new FailureException($"{setting} '{text}' is not an IP address (set it with {flag})");

    private static void EnsurePortFree(string setting, string flag, IPAddress address, int port)
    {
        if (port == 0)
        {
            return;
        }

        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new FailureException($"{setting} {port} is already in use on {address}: stop what holds it or choose another port with {flag}");
        }
        catch (SocketException ex)
        {
            throw new FailureException($"{setting} {port} cannot be opened on {address}: {ex.Message} (set it with {flag})");
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void EnsureWritable(string setting, string flag, string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new FailureException($"{setting} '{dir}' is not a writable folder: {ex.Message} (set it with {flag})");
        }
    }

    private static string Browsable(string url)
    {
        var uri = new Uri(url);
        return $"{uri.Scheme}://{Host(uri.Host)}:{uri.Port}/";
    }

    private static bool IsAny(string host) => host is "0.0.0.0" or "::" or "[::]";

    private static string Host(string host) => IsAny(host) ? "127.0.0.1" : host;
}

/// <summary>Where <c>twin serve</c> listens and keeps its data, for the ready message.</summary>
public sealed record ServePlan(string HttpBind, int HttpPort, string Mqtt, string DataDir, string Store);
