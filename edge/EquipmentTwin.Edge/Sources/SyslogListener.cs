using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EquipmentTwin.Edge.Sources;

/// <summary>
/// Syslog over UDP and TCP on a loopback (or configured) address. The sender's hostname or app-name picks the
/// device; the body is a vendor line parsed with that device's format. TCP takes octet-counted (RFC 6587) or
/// newline-framed messages and is held back when the queue is full; UDP cannot be held back, so datagrams that
/// arrive while the batcher is full are dropped and counted.
/// </summary>
public sealed partial class SyslogListener(IPAddress bind, int udpPort, int tcpPort, IReadOnlyDictionary<string, LineEmitter> byName, RejectedLines rejected, ILogger logger) : IEdgeSource
{
    /// <summary>UDP lines held while the batcher is busy or the queue is full.</summary>
    public const int UdpBufferLines = 10_000;

    private long _dropped;
    private long _unmatched;

    public long Dropped => Interlocked.Read(ref _dropped);
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Ports actually bound (when configured as 0).</summary>
    public int BoundUdpPort { get; private set; }
    public int BoundTcpPort { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var tasks = new List<Task>();
        UdpClient? udp = null;
        TcpListener? tcp = null;
        try
        {
            if (udpPort > 0)
            {
                udp = new UdpClient(new IPEndPoint(bind, udpPort));
                BoundUdpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
                tasks.Add(ReceiveUdpAsync(udp, ct));
            }

            if (tcpPort > 0)
            {
                tcp = new TcpListener(bind, tcpPort);
                tcp.Start();
                BoundTcpPort = ((IPEndPoint)tcp.LocalEndpoint).Port;
                tasks.Add(AcceptTcpAsync(tcp, ct));
            }

            LogListening(bind.ToString(), BoundUdpPort, BoundTcpPort);
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            udp?.Dispose();
            tcp?.Stop();
        }
    }

    private async Task ReceiveUdpAsync(UdpClient udp, CancellationToken ct)
    {
        // Datagrams cannot wait: a buffer of UdpBufferLines absorbs bursts and a full queue; beyond it they are dropped and counted.
        var buffer = Channel.CreateBounded<(LineEmitter Emitter, string Body)>(new BoundedChannelOptions(UdpBufferLines) { SingleReader = true, SingleWriter = true });
        var forward = ForwardAsync(buffer.Reader, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var result = await udp.ReceiveAsync(ct).ConfigureAwait(false);
                var text = Encoding.UTF8.GetString(result.Buffer);
                if (Route(text, out var emitter, out var body) && !buffer.Writer.TryWrite((emitter, body)))
                {
                    Interlocked.Increment(ref _dropped);
                }
            }
        }
        finally
        {
            buffer.Writer.TryComplete();
            await forward.ConfigureAwait(false);
        }
    }

    private static async Task ForwardAsync(ChannelReader<(LineEmitter Emitter, string Body)> reader, CancellationToken ct)
    {
        var lines = new List<string>(1);
        try
        {
            await foreach (var (emitter, body) in reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                lines.Clear();
                lines.Add(body);
                await emitter.EmitAsync(lines, null, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task AcceptTcpAsync(TcpListener listener, CancellationToken ct)
    {
        var connections = new List<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(ct).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(HandleTcpAsync(client, ct));
            }
        }
        finally
        {
            await Task.WhenAll(connections).ConfigureAwait(false);
        }
    }

    private async Task HandleTcpAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        var lines = new List<string>(1);
        try
        {
            var stream = client.GetStream();
            var buffer = new List<byte>(4096);
            var chunk = new byte[8192];
            while (!ct.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                buffer.AddRange(chunk.AsSpan(0, n));
                while (TryFrame(buffer, out var message))
                {
                    if (Route(message, out var emitter, out var body))
                    {
                        lines.Clear();
                        lines.Add(body);
                        await emitter.EmitAsync(lines, null, ct).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            LogConnectionLost(ex.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>RFC 6587: "LEN SP MSG" when the frame starts with a digit, otherwise one message per line.</summary>
    internal static bool TryFrame(List<byte> buffer, out string message)
    {
        message = "";
        if (buffer.Count == 0)
        {
            return false;
        }

        if (buffer[0] is >= (byte)'1' and <= (byte)'9')
        {
            var sp = buffer.IndexOf((byte)' ');
            if (sp < 0)
            {
                return false;
            }

            var len = int.Parse(Encoding.ASCII.GetString(buffer.GetRange(0, sp).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
            if (buffer.Count < sp + 1 + len)
            {
                return false;
            }

            message = Encoding.UTF8.GetString(buffer.GetRange(sp + 1, len).ToArray());
            buffer.RemoveRange(0, sp + 1 + len);
            return true;
        }

        var nl = buffer.IndexOf((byte)'\n');
        if (nl < 0)
        {
            return false;
        }

        message = Encoding.UTF8.GetString(buffer.GetRange(0, nl).ToArray());
        buffer.RemoveRange(0, nl + 1);
        return true;
    }

    private bool Route(string text, out LineEmitter emitter, out string body)
    {
        emitter = null!;
        body = "";
        if (!SyslogMessage.TryParse(text, out var m))
        {
            Interlocked.Increment(ref _unmatched);
            rejected.Write("_syslog", "bad-syslog: not RFC 5424 or RFC 3164", text);
            return false;
        }

        if (byName.TryGetValue(m.HostName, out emitter!) || byName.TryGetValue(m.AppName, out emitter!))
        {
            body = m.Body;
            return true;
        }

        Interlocked.Increment(ref _unmatched);
        rejected.Write("_syslog", $"unknown-sender: hostname '{m.HostName}' and app-name '{m.AppName}' map to no device", text);
        return false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Syslog listening on {Bind} (udp {Udp}, tcp {Tcp})")]
    private partial void LogListening(string bind, int udp, int tcp);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog TCP connection closed: {Reason}")]
    private partial void LogConnectionLost(string reason);
}
