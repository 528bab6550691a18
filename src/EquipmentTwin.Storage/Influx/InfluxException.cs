namespace EquipmentTwin.Storage.Influx;

/// <summary>InfluxDB answered a request with an error (or did not answer); <see cref="StatusCode"/> is 0 when it could not be reached.</summary>
public sealed class InfluxException(string message, int statusCode, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;
}
