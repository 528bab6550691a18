namespace EquipmentTwin.Service.Broker;

/// <summary>Publishes what the service says (alerts, twin summaries) on the broker it uses.</summary>
public interface IMqttPublisher
{
    /// <summary>QoS 1. Returns false when the broker is not reachable now (the caller keeps state; a later change republishes).</summary>
    Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken);
}
