using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EquipmentTwin.Storage.Influx;

/// <summary>
/// The v1-compatible HTTP API: <c>POST /write</c> (line protocol, gzip, nanosecond precision) and
/// <c>GET /query</c> (InfluxQL, JSON, epoch milliseconds). Served by InfluxDB 1.x, by 2.x's v1
/// compatibility endpoints and by 3.x, so one client serves all three.
/// </summary>
public sealed class InfluxClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly InfluxConnection _connection;

    public InfluxClient(InfluxConnection connection, HttpMessageHandler? handler = null)
    {
        _connection = connection;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = DecompressionMethods.GZip })
        {
            BaseAddress = connection.Url,
            Timeout = connection.Timeout,
        };
        if (connection.Token is { Length: > 0 } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", token);
        }
        else if (connection.Username is { Length: > 0 } user)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{connection.Password}"));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
    }

    public InfluxConnection Connection => _connection;

    /// <summary>GET /ping: 204 when the server is up.</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("ping", cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>POSTs line protocol (gzip); returns when InfluxDB answered 204, throws <see cref="InfluxException"/> otherwise.</summary>
    public async Task WriteAsync(string lines, CancellationToken cancellationToken)
    {
        var query = "write?db=" + Uri.EscapeDataString(_connection.Database) + "&precision=ns";
        if (_connection.RetentionPolicy is { Length: > 0 } rp)
        {
            query += "&rp=" + Uri.EscapeDataString(rp);
        }

        var body = Gzip(lines);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        content.Headers.ContentEncoding.Add("gzip");
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(query, content, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxException($"InfluxDB at {_connection.Url} is not reachable: {ex.Message}", 0, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InfluxException($"InfluxDB at {_connection.Url} did not answer in {_connection.Timeout.TotalSeconds:0} s", 0, ex);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new InfluxException($"InfluxDB refused a write ({(int)response.StatusCode}): {Trim(text)}", (int)response.StatusCode);
            }
        }
    }

    /// <summary>Runs InfluxQL (GET for reads, POST for statements that change something) and returns the first statement's series.</summary>
    public async Task<IReadOnlyList<InfluxSeries>> QueryAsync(string influxQl, CancellationToken cancellationToken, bool post = false)
    {
        var query = "query?db=" + Uri.EscapeDataString(_connection.Database) + "&epoch=ms&q=" + Uri.EscapeDataString(influxQl);
        HttpResponseMessage response;
        try
        {
            response = post
                ? await _http.PostAsync(query, null, cancellationToken).ConfigureAwait(false)
                : await _http.GetAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new InfluxException($"InfluxDB at {_connection.Url} is not reachable: {ex.Message}", 0, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InfluxException($"InfluxDB at {_connection.Url} did not answer in {_connection.Timeout.TotalSeconds:0} s", 0, ex);
        }

        using (response)
        {
            var json = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InfluxException($"InfluxDB refused a query ({(int)response.StatusCode}): {Trim(Encoding.UTF8.GetString(json))}", (int)response.StatusCode);
            }

            return InfluxSeries.Parse(json);
        }
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream(text.Length / 4 + 64);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            gzip.Write(bytes, 0, bytes.Length);
        }

        return buffer.ToArray();
    }

    private static string Trim(string text) => text.Length > 300 ? text[..300] + "…" : text.Trim();

    public void Dispose() => _http.Dispose();
}
